"""Field types every API model shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from transactions.rules.common import npi_valid


def _npi(value: str) -> str:
    if not npi_valid(value):  # the message names the rule, never the value
        raise ValueError("not an NPI: 10 digits whose last is the Luhn check digit")
    return value


#: National Provider Identifier: 10 digits, the last a Luhn check digit (prefix 80840).
Npi = Annotated[
    str,
    Field(pattern=r"^\d{10}$", description="National Provider Identifier: 10 digits, check digit"),
    AfterValidator(_npi),
]
