"""HI (health care information codes) of the 2300 loop.

Diagnoses (principal, other, admitting, reason for visit, external cause) go to
``diagnoses`` [{qualifier, code, presentOnAdmissionIndicator}], which the claim
module turns into ``diagnosis`` records. The other code lists stay claim
fields: ``conditionCodes`` (BG), ``treatmentCodes`` (TC), ``drgCode`` (DR),
``anesthesiaRelatedProcedureCodes`` (BP/BO), ``occurrenceCodes`` [{code, date}]
(BH), ``occurrenceSpanCodes`` [{code, fromDate, toDate}] (BI), ``valueCodes``
[{code, amount}] (BE), ``principalProcedure`` and ``otherProcedures``
[{qualifier, code, date}] (BBR/BR/CAH, BBQ/BQ).

Codes are written back ``size`` to a segment, so a set split differently in the
input (the TR3 allows that) reads back to the same records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transactions.claims.codecs import date_in, date_out
from transactions.claims.raw import Ctx, Fields, Raw, amount_text, components, strip

DIAGNOSES = "diagnoses"


@dataclass(frozen=True, slots=True)
class Family:
    field: str
    quals: tuple[str, ...]  # the first is written first in a segment, the second after it
    shape: str  # dx, code, date, span, amount, proc
    size: int
    single: bool = False


def _dx(quals: tuple[str, ...], size: int) -> Family:
    return Family(DIAGNOSES, quals, "dx", size)


_SHARED = (
    Family("conditionCodes", ("BG",), "code", 12),
    Family("anesthesiaRelatedProcedureCodes", ("BP", "BO"), "code", 2),
)
FAMILIES: dict[str, tuple[Family, ...]] = {
    "837P": (_dx(("ABK", "BK", "ABF", "BF"), 12), *_SHARED),
    "837D": (_dx(("ABK", "BK", "ABF", "BF"), 12), *_SHARED),
    "837I": (
        _dx(("ABK", "BK"), 1),
        _dx(("ABJ", "BJ"), 1),
        _dx(("APR", "PR"), 3),
        _dx(("ABN", "BN"), 12),
        _dx(("ABF", "BF"), 12),
        Family("drgCode", ("DR",), "code", 1, single=True),
        Family("principalProcedure", ("BBR", "BR", "CAH"), "proc", 1, single=True),
        Family("otherProcedures", ("BBQ", "BQ"), "proc", 12),
        Family("occurrenceSpanCodes", ("BI",), "span", 12),
        Family("occurrenceCodes", ("BH",), "date", 12),
        Family("valueCodes", ("BE",), "amount", 12),
        Family("conditionCodes", ("BG",), "code", 12),
        Family("treatmentCodes", ("TC",), "code", 12),
    ),
}
#: components each shape may carry (1 qualifier, 2 code, 3-4 date, 5 amount, 9 POA)
ALLOWED = {
    "dx": {1, 2, 9},
    "code": {1, 2},
    "date": {1, 2, 3, 4},
    "span": {1, 2, 3, 4},
    "amount": {1, 2, 5},
    "proc": {1, 2, 3, 4},
}


def _family(guide: str, qual: str) -> Family | None:
    for fam in FAMILIES.get(guide, FAMILIES["837P"]):
        if qual in fam.quals:
            return fam
    return None


def _item(fam: Family, comps: list[str]) -> Any:
    used = {i + 1 for i, c in enumerate(comps) if c}
    if not used <= ALLOWED[fam.shape] or len(comps) < 2 or not comps[1]:
        return None
    qual, code = comps[0], comps[1]
    fmt, when = (comps[2], comps[3]) if len(comps) > 3 else ("", "")
    if fam.shape == "dx":
        item: Fields = {"qualifier": qual, "code": code}
        if len(comps) > 8:
            item["presentOnAdmissionIndicator"] = comps[8]
        return item
    if fam.shape == "code":
        return code
    if fam.shape == "amount":
        return {"code": code, "amount": comps[4]} if len(comps) > 4 else None
    if fam.shape == "span":
        start, _, end = when.partition("-")
        a, b = date_in(start), date_in(end)
        return {"code": code, "fromDate": a, "toDate": b} if fmt == "RD8" and a and b else None
    day = date_in(when) if fmt == "D8" else None
    if fam.shape == "date":
        return {"code": code, "date": day} if day else None
    if fmt and not day:
        return None
    return {"qualifier": qual, "code": code, **({"date": day} if day else {})}


def _composite(fam: Family, item: Any, first: bool) -> list[str]:
    if fam.shape == "dx":
        out = [str(item.get("qualifier", "")), str(item.get("code", ""))]
        poa = item.get("presentOnAdmissionIndicator")
        return [*out, "", "", "", "", "", "", str(poa)] if poa else out
    if fam.shape == "code":
        return [fam.quals[0] if first or len(fam.quals) == 1 else fam.quals[1], str(item)]
    code = str(item.get("code", ""))
    if fam.shape == "amount":
        return [fam.quals[0], code, "", "", amount_text(item.get("amount")) or ""]
    if fam.shape == "span":
        period = f"{date_out(str(item.get('fromDate')))}-{date_out(str(item.get('toDate')))}"
        return [fam.quals[0], code, "RD8", period]
    qual = fam.quals[0] if fam.shape == "date" else str(item.get("qualifier", fam.quals[0]))
    day = item.get("date")
    return [qual, code, "D8", date_out(str(day))] if day else [qual, code]


def _chunks(fam: Family, items: list[Any]) -> list[Raw]:
    out: list[Raw] = []
    for start in range(0, len(items), fam.size):
        chunk = items[start : start + fam.size]
        out.append(strip(["HI", *(_composite(fam, it, i == 0) for i, it in enumerate(chunk))]))
    return out


class HealthCodes:
    """The HI codec of one guide (the families differ between 837P/D and 837I)."""

    tag = "HI"

    def __init__(self, guide: str) -> None:
        self.guide = guide

    def accepts(self, raw: Raw) -> bool:
        return True

    def read(self, raw: Raw) -> Fields | None:
        first = components(raw, 1)
        fam = _family(self.guide, first[0]) if first else None
        if fam is None:
            return None
        items = []
        for pos in range(1, len(raw)):
            comps = components(raw, pos)
            if not comps or _family(self.guide, comps[0]) is not fam:
                return None
            item = _item(fam, comps)
            if item is None:
                return None
            items.append(item)
        if fam.single:
            return {fam.field: items[0]} if len(items) == 1 else None
        return {fam.field: items}

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        out: list[Raw] = []
        run: list[Any] = []
        run_family: Family | None = None
        for item in fields.get(DIAGNOSES) or []:
            fam = _family(self.guide, str(item.get("qualifier", ""))) or _dx((), 12)
            if run_family is not None and fam != run_family:
                out += _chunks(run_family, run)
                run = []
            run_family = fam
            run.append(item)
        if run_family is not None:
            out += _chunks(run_family, run)
        for fam in FAMILIES.get(self.guide, FAMILIES["837P"]):
            if fam.field != DIAGNOSES and fields.get(fam.field) not in (None, "", []):
                value = fields[fam.field]
                out += _chunks(fam, [value] if fam.single else list(value))
        return out
