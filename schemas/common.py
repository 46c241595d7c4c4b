"""Field types and rules every API model shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

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

#: DMG03 administrative gender.
Gender = Literal["M", "F", "U"]


def check_party_named(
    organization_name: str | None, first_name: str | None, last_name: str | None
) -> None:
    """Refuse a provider named neither or both ways: NM1 carries an organization (NM102 2)
    or a person (NM102 1, NM103 last name), so the JSON must say which."""
    if organization_name and (first_name or last_name):
        raise ValueError("give organizationName or firstName + lastName, not both")
    if not organization_name and not last_name:
        raise ValueError("organizationName or lastName is required")


def check_gender_has_birth_date(gender: str | None, date_of_birth: dt.date | None) -> None:
    """Refuse a gender without a birth date: both go in one DMG, whose DMG02 is required."""
    if gender and date_of_birth is None:
        raise ValueError("gender needs dateOfBirth (both go in DMG)")
