"""Segment <-> field helpers shared by the 278 loops: element tables, dates, times, amounts.

A table (:class:`F` entries) names the elements of one segment. ``take`` reads a
segment into JSON-ready fields (only non-empty values), ``build`` turns the
fields back into element values for :meth:`TransactionBuilder.add`, so a table
serves both directions and the two can not drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from parsers.segment import Segment
from parsers.writer import Element, TransactionBuilder
from transactions.records import money

Fields = dict[str, Any]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ISO_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,2})?)?\Z")


@dataclass(frozen=True, slots=True)
class F:
    """One field of a segment table.

    kind: ``text``; ``decimal`` (a canonical decimal string); ``date`` (CCYYMMDD
    <-> ISO); ``list`` (``count`` consecutive elements, or components when
    ``comp`` is set, empties dropped); ``period`` (a D8/RD8 value whose format
    qualifier is the element before ``pos``: ``name`` holds the start and
    ``name + "End"`` the end of a range).
    """

    name: str
    pos: int
    comp: int = 0
    kind: str = "text"
    count: int = 1


# values ---------------------------------------------------------------------------


def iso_date(text: str) -> str:
    """CCYYMMDD as an ISO date; any other text is kept as it is (nothing is lost)."""
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def x12_date(value: Any) -> str:
    text = str(value)
    return text.replace("-", "") if _ISO_DATE.match(text) else text


def iso_time(text: str) -> str:
    """HHMM[SS[DD]] as HH:MM[:SS[.DD]]; other text is kept."""
    if text.isdigit() and len(text) in (4, 6, 7, 8):
        out = f"{text[:2]}:{text[2:4]}"
        if len(text) > 4:
            out += f":{text[4:6]}"
        if len(text) > 6:
            out += f".{text[6:]}"
        return out
    return text


def x12_time(value: Any) -> str:
    text = str(value)
    return text.replace(":", "").replace(".", "") if _ISO_TIME.match(text) else text


def decimal(text: str) -> str:
    """A decimal element as a canonical decimal string; text that is no number is kept."""
    try:
        Decimal(text)
    except InvalidOperation:
        return text
    return money(text) or text


def index_date(value: Any) -> str | None:
    """``value`` when it is a real ISO date (the store keeps the index in a date column)."""
    try:
        return dt.date.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


def index_amount(value: Any) -> str | None:
    """``value`` when it is a decimal string (the store keeps the index in a numeric column)."""
    try:
        return money(value) if isinstance(value, str) and Decimal(value).is_finite() else None
    except InvalidOperation:
        return None


def period(fmt: str, text: str, name: str) -> Fields:
    """A D8 or RD8 date value as ``name`` (start) and ``name + 'End'``."""
    if fmt == "RD8" and text.count("-") == 1:
        start, end = text.split("-")
        return {name: iso_date(start), name + "End": iso_date(end)}
    if fmt == "D8":
        return {name: iso_date(text)}
    return {name: text, name + "Format": fmt}


def period_values(data: Mapping[str, Any], name: str) -> tuple[str, str] | None:
    """(format qualifier, value) for the period ``name`` in ``data``, None when absent."""
    start = data.get(name)
    if start in (None, ""):
        return None
    fmt = data.get(name + "Format")
    if fmt:
        return str(fmt), str(start)
    end = data.get(name + "End")
    if end not in (None, ""):
        return "RD8", f"{x12_date(start)}-{x12_date(end)}"
    return "D8", x12_date(start)


# tables ---------------------------------------------------------------------------


def _text_at(seg: Segment, pos: int, comp: int) -> str:
    return seg.component(pos, comp) if comp else seg.get(pos)


def take(seg: Segment, table: Sequence[F]) -> Fields:
    """The fields of ``seg`` named by ``table`` (empty values left out)."""
    out: Fields = {}
    for f in table:
        if f.kind == "list":
            items = [
                _text_at(seg, f.pos + (0 if f.comp else i), f.comp + i if f.comp else 0)
                for i in range(f.count)
            ]
            found = [v for v in items if v]
            if found:
                out[f.name] = found
            continue
        text = _text_at(seg, f.pos, f.comp)
        if not text:
            continue
        if f.kind == "period":
            out.update(period(seg.get(f.pos - 1), text, f.name))
        elif f.kind == "date":
            out[f.name] = iso_date(text)
        elif f.kind == "decimal":
            out[f.name] = decimal(text)
        else:
            out[f.name] = text
    return out


def build(
    data: Mapping[str, Any], table: Sequence[F], fixed: Mapping[int, str] | None = None
) -> list[Element]:
    """Element values for ``data`` laid out by ``table``; ``fixed`` sets constant elements."""
    simple: dict[int, str] = {}
    composite: dict[int, dict[int, str]] = {}

    def put(pos: int, comp: int, value: Any) -> None:
        if value in (None, ""):
            return
        if comp:
            composite.setdefault(pos, {})[comp] = str(value)
        else:
            simple[pos] = str(value)

    for pos, text in (fixed or {}).items():
        put(pos, 0, text)
    for f in table:
        if f.kind == "list":
            for i, item in enumerate(list(data.get(f.name) or ())[: f.count]):
                put(f.pos + (0 if f.comp else i), f.comp + i if f.comp else 0, item)
        elif f.kind == "period":
            pv = period_values(data, f.name)
            if pv is not None:
                put(f.pos - 1, 0, pv[0])
                put(f.pos, 0, pv[1])
        else:
            value = data.get(f.name)
            if f.kind == "date" and value not in (None, ""):
                value = x12_date(value)
            put(f.pos, f.comp, value)
    last = max([*simple, *composite], default=0)
    out: list[Element] = []
    for pos in range(1, last + 1):
        if pos in composite:
            parts = composite[pos]
            out.append(tuple(parts.get(i, "") for i in range(1, max(parts) + 1)))
        else:
            out.append(simple.get(pos))
    return out


def add(
    ts: TransactionBuilder,
    tag: str,
    data: Mapping[str, Any] | None,
    table: Sequence[F],
    fixed: Mapping[int, str] | None = None,
) -> None:
    """Add ``tag`` when ``data`` has any of the table's fields."""
    if not data:
        return
    if not build(data, table):  # nothing but constants: no segment
        return
    ts.add(tag, *build(data, table, fixed))


def raw(seg: Segment) -> list[Any]:
    """A segment kept as its elements: text, or a list of components for a composite."""
    out: list[Any] = [seg.elements[0]]
    for i in range(1, len(seg.elements)):
        parts = seg.components(i)
        out.append(parts if len(parts) > 1 else seg.get(i))
    return out


def add_raw(ts: TransactionBuilder, items: Sequence[Sequence[Any]] | None) -> None:
    for item in items or ():
        if not item:
            continue
        values: list[Element] = [
            tuple(str(p) for p in v) if isinstance(v, list | tuple) else v for v in item[1:]
        ]
        ts.add(str(item[0]), *values)


# segment tables used at several levels ------------------------------------------------

TRN = (
    F("traceTypeCode", 1),
    F("referenceIdentification", 2),
    F("originatingCompanyIdentifier", 3),
    F("secondaryReferenceIdentification", 4),
)

AAA = (
    F("validRequestIndicator", 1),
    F("rejectReasonCode", 3),
    F("followUpActionCode", 4),
)

UM = (
    F("requestCategoryCode", 1),
    F("certificationTypeCode", 2),
    F("serviceTypeCode", 3),
    F("facilityTypeCode", 4, 1),
    F("facilityCodeQualifier", 4, 2),
    F("relatedCausesCodes", 5, 1, "list", 3),
    F("autoAccidentStateCode", 5, 4),
    F("autoAccidentCountryCode", 5, 5),
    F("levelOfServiceCode", 6),
    F("currentHealthConditionCode", 7),
    F("prognosisCode", 8),
    F("releaseOfInformationCode", 9),
    F("delayReasonCode", 10),
)

HCR = (
    F("actionCode", 1),
    F("certificationNumber", 2),
    F("decisionReasonCode", 3),
    F("secondSurgicalOpinionIndicator", 4),
)

HSD = (
    F("quantityQualifier", 1),
    F("quantity", 2, kind="decimal"),
    F("unitOrBasisForMeasurementCode", 3),
    F("sampleSelectionModulus", 4, kind="decimal"),
    F("timePeriodQualifier", 5),
    F("periodCount", 6),
    F("deliveryFrequencyCode", 7),
    F("deliveryPatternTimeCode", 8),
)

PWK = (
    F("reportTypeCode", 1),
    F("transmissionCode", 2),
    F("identificationCodeQualifier", 5),
    F("attachmentControlNumber", 6),
    F("description", 7),
)

#: HCR01 action codes and what they mean for a review or a service
DECISIONS = {
    "A1": "certified",
    "A2": "partially_certified",
    "A3": "denied",
    "A4": "pended",
    "A6": "modified",
    "C": "cancelled",
    "CT": "contact_payer",
    "NA": "no_action_required",
}
_ACTIONS = {v: k for k, v in DECISIONS.items()}


def read_hcr(seg: Segment) -> Fields:
    out = take(seg, HCR)
    decision = DECISIONS.get(out.get("actionCode", ""))
    if decision:
        out["decision"] = decision
    return out


def write_hcr(ts: TransactionBuilder, fields: Mapping[str, Any]) -> None:
    data = dict(fields)
    if not data.get("actionCode") and data.get("decision") in _ACTIONS:
        data["actionCode"] = _ACTIONS[data["decision"]]
    add(ts, "HCR", data, HCR)


def read_hi(seg: Segment, code_name: str, type_name: str, date_name: str) -> list[Fields]:
    """Every composite of an HI segment as {type, code[, date]}."""
    out: list[Fields] = []
    for pos in range(1, len(seg.elements)):
        parts = seg.components(pos)
        if not parts:
            continue
        item: Fields = {type_name: parts[0]}
        if len(parts) > 1 and parts[1]:
            item[code_name] = parts[1]
        fmt = parts[2] if len(parts) > 2 else ""
        when = parts[3] if len(parts) > 3 else ""
        if when:
            item.update(period(fmt, when, date_name))
        elif fmt:
            item[date_name + "Format"] = fmt
        out.append(item)
    return out


def write_hi(
    ts: TransactionBuilder,
    items: Sequence[Mapping[str, Any]] | None,
    code: str,
    kind: str,
    date: str,
) -> None:
    values: list[Element] = []
    for item in items or ():
        pv = period_values(item, date)
        fmt = pv[0] if pv else str(item.get(date + "Format") or "")
        values.append(
            (str(item.get(kind) or ""), str(item.get(code) or ""), fmt, pv[1] if pv else "")
        )
    if values:
        ts.add("HI", *values)


def first_trace(traces: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The trace to index: the requester's (TRN01 2 in a response, 1 in a request)."""
    items = list(traces or ())
    for wanted in ("2", "1"):
        for t in items:
            if t.get("traceTypeCode") == wanted and t.get("referenceIdentification"):
                return str(t["referenceIdentification"])
    return None
