"""271 2115C/2115D: additional information on a benefit (III), one loop per item.

Each item is ``{qualifier, industryCode, codeCategory, text}``: a place of
service (ZZ), a nature of injury (GR, NI) with its category, or free text.
Kept in the benefit's ``additionalInformation`` list.
"""

from __future__ import annotations

from collections.abc import Iterable

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.eligibility.common import (
    Fields,
    put_raw,
    raw,
)
from transactions.eligibility.segments import (
    read_additional_information,
    write_additional_information,
)


def read_2115(loops: Iterable[Loop]) -> list[Fields]:
    out: list[Fields] = []
    for loop in loops:
        segs = list(loop.segments())
        item = read_additional_information(s for s in segs[:1] if s.elements[0] == "III")
        extra = [raw(s) for s in segs[len(item) :]]
        entry = item[0] if item else {}
        if extra:
            entry = {**entry, "extra": extra}
        out.append(entry)
    return out


def write_2115(ts: TransactionBuilder, items: Iterable[Fields]) -> None:
    for item in items:
        write_additional_information(ts, [{k: v for k, v in item.items() if k != "extra"}])
        for elements in item.get("extra", []):
            put_raw(ts, elements)
