"""Checks shared by several transaction types: NPI check digits, ICD-10-CM form, amounts, dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Protocol

from parsers.elements import valid_date
from parsers.findings import Finding
from parsers.segment import Segment


@dataclass(frozen=True, slots=True)
class RuleContext:
    today: dt.date
    #: highest SNIP level whose findings are errors (a trading partner setting)
    error_level: int


class RuleRun(Protocol):
    """Rules for one transaction set, fed its segments in order."""

    def add(self, seg: Segment) -> None: ...

    def finish(self) -> list[Finding]: ...


_ICD10CM = re.compile(r"[A-TV-Z][0-9][0-9AB][0-9A-TV-Z]{0,4}\Z")


def npi_valid(npi: str) -> bool:
    """An NPI is 10 digits whose last is a Luhn check digit over '80840' + the first nine."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def icd10cm_form(code: str) -> bool:
    """ICD-10-CM as X12 carries it: 3 to 7 characters, no decimal point."""
    return bool(_ICD10CM.match(code))


@lru_cache(maxsize=8192)
def icd10cm_known(code: str) -> bool:
    """Whether the code is in the ICD-10-CM tabular list shipped by simple-icd-10-cm."""
    try:
        import simple_icd_10_cm as icd

        return bool(icd.is_valid_item(code))
    except Exception:  # the library is an optional refinement of the form check
        return True


def amount(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_date(text: str) -> dt.date | None:
    if len(text) != 8 or not valid_date(text):
        return None
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def date_range(fmt: str, text: str) -> tuple[dt.date | None, dt.date | None]:
    """DTP02/DTP03 to (start, end); RD8 is CCYYMMDD-CCYYMMDD."""
    if fmt == "RD8":
        start, _, end = text.partition("-")
        return parse_date(start), parse_date(end)
    day = parse_date(text)
    return day, day
