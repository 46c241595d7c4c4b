"""Shared pieces of the 270/271 mapping: element text, dates, amounts, raw segments, writing.

Conventions of every eligibility record:

* empty elements are left out of the fields (no ``None`` values);
* amounts, percents and quantities are canonical decimal strings (``money``);
* dates are ISO strings; a date that does not parse is kept as its X12 text;
* a segment this package does not model is kept in ``extra`` as its raw
  elements (composites as lists of components) and written back at the end of
  its loop, so nothing read is lost.

Some fields are *derived*: convenience copies of modelled values (``npi``,
``memberId``, ``groupNumber``, ``taxonomy``, ``dateInformation`` ...). The
writer does not read them (except to fill an NM1 ID that records built by hand
leave out); reading the written set derives them again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from parsers.segment import Segment
from parsers.writer import TransactionBuilder, format_element
from transactions.records import Record, money

Fields = dict[str, Any]

#: One value for :func:`put`: text, a composite (tuple) or repetitions (list).
Value = str | int | tuple[str, ...] | list[str] | None

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def text(seg: Segment, pos: int) -> str | None:
    """Element ``pos`` as text, ``None`` when empty or absent."""
    value = seg.get(pos)
    return value or None


def set_if(fields: Fields, name: str, value: Any) -> None:
    """Store ``value`` under ``name`` unless it is empty."""
    if value not in (None, "", [], {}):
        fields[name] = value


def decimal_text(value: str | None) -> str | None:
    """A numeric element as a canonical decimal string (the raw text when it is not a number)."""
    if not value:
        return None
    try:
        return money(value)
    except (InvalidOperation, ValueError):
        return value


# dates and times -------------------------------------------------------------


def date_from_x12(value: str | None) -> str | None:
    """CCYYMMDD to an ISO date; other text is kept as it is."""
    if not value:
        return None
    if len(value) == 8 and value.isdigit():
        try:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
        except ValueError:
            return value
    return value


def date_to_x12(value: str | None) -> str | None:
    if not value:
        return None
    return value.replace("-", "") if _ISO_DATE.match(value) else value


def time_from_x12(value: str | None) -> str | None:
    """HHMM[SS[D..]] to ``HH:MM[:SS[.D..]]``; other text is kept as it is."""
    if not value:
        return None
    if not value.isdigit() or len(value) not in (4, 6, 7, 8):
        return value
    out = f"{value[:2]}:{value[2:4]}"
    if len(value) >= 6:
        out += f":{value[4:6]}"
    if len(value) > 6:
        out += f".{value[6:]}"
    return out


def time_to_x12(value: str | None) -> str | None:
    if not value:
        return None
    return value.replace(":", "").replace(".", "") if _ISO_TIME.match(value) else value


def period_from_x12(fmt: str | None, value: str | None) -> Fields:
    """DTP02/DTP03 as ``date`` (D8), ``startDate`` + ``endDate`` (RD8) or raw ``format`` + ``value``."""
    if fmt == "D8" and value and date_from_x12(value) != value:
        return {"date": date_from_x12(value)}
    if fmt == "RD8" and value and value.count("-") == 1:
        start, end = value.split("-")
        s, e = date_from_x12(start), date_from_x12(end)
        if s != start and e != end:
            return {"startDate": s, "endDate": e}
    out: Fields = {}
    set_if(out, "format", fmt)
    set_if(out, "value", value)
    return out


def period_to_x12(item: Fields) -> tuple[str | None, str | None]:
    if item.get("date"):
        return "D8", date_to_x12(item["date"])
    if item.get("startDate") or item.get("endDate"):
        return "RD8", f"{date_to_x12(item.get('startDate'))}-{date_to_x12(item.get('endDate'))}"
    return item.get("format"), item.get("value")


# raw segments ------------------------------------------------------------------


def raw(seg: Segment) -> list[Any]:
    """A segment as JSON: tag, then elements; composites as lists of components."""
    out: list[Any] = [seg.elements[0]]
    for i in range(1, len(seg.elements)):
        parts = seg.components(i)
        out.append(parts if len(parts) > 1 else seg.elements[i])
    return out


def put_raw(ts: TransactionBuilder, elements: Sequence[Any]) -> None:
    values: list[Value] = [tuple(e) if isinstance(e, list) else e for e in elements[1:]]
    put(ts, str(elements[0]), *values)


def put_extra(ts: TransactionBuilder, fields: Fields) -> None:
    for elements in fields.get("extra", []):
        put_raw(ts, elements)


# writing -----------------------------------------------------------------------


def put(ts: TransactionBuilder, tag: str, *values: Value) -> Segment:
    """Add a segment; a list value is written as repetitions of one element."""
    d = ts.delims
    els = [tag]
    for value in values:
        if isinstance(value, list):
            parts = [format_element(v, d) for v in value]
            if len(parts) > 1 and not d.repetition:
                raise ValueError(f"{tag}: repeated values need a repetition separator")
            els.append(d.repetition.join(parts))
        else:
            els.append(format_element(value, d))
    while len(els) > 1 and not els[-1]:
        els.pop()
    seg = Segment(els, d)
    ts.segments.append(seg)
    return seg


def amount_value(value: Any) -> str | None:
    """A stored amount back to element text (strings are written as they are)."""
    if value in (None, ""):
        return None
    if isinstance(value, Decimal | int | float):
        return money(Decimal(str(value)))
    return str(value)


def pointers_from_x12(parts: Iterable[str]) -> list[Any]:
    """Diagnosis code pointers as integers (text kept when not a number)."""
    out: list[Any] = []
    for p in parts:
        # ASCII and short: "²" is a digit to isdigit() but not to int(), nor are 4300+ digits
        out.append(int(p) if p.isascii() and p.isdigit() and len(p) <= 9 else p)
    while out and out[-1] == "":
        out.pop()
    return out


def pointers_to_x12(values: Iterable[Any]) -> tuple[str, ...] | None:
    parts = tuple(str(v) for v in values)
    return parts or None


def procedure_from_x12(parts: list[str], fields: Fields) -> None:
    """A C003 composite (EQ02, EB13) into ``procedure*`` fields."""
    if not parts:
        return
    padded = [*parts, *[""] * (8 - len(parts))]
    set_if(fields, "procedureQualifier", padded[0])
    set_if(fields, "procedureCode", padded[1])
    modifiers = padded[2:6]
    while modifiers and not modifiers[-1]:
        modifiers.pop()
    set_if(fields, "procedureModifiers", modifiers)
    set_if(fields, "procedureDescription", padded[6])
    set_if(fields, "procedureProductServiceId", padded[7])


def procedure_to_x12(fields: Fields) -> tuple[str, ...] | None:
    modifiers = list(fields.get("procedureModifiers", []))
    parts = (
        fields.get("procedureQualifier", ""),
        fields.get("procedureCode", ""),
        *(modifiers + [""] * (4 - len(modifiers))),
        fields.get("procedureDescription", ""),
        fields.get("procedureProductServiceId", ""),
    )
    return parts if any(parts) else None


def children_of(records: Iterable[Record]) -> dict[str | None, list[Record]]:
    """Records by their parent's key, in the order given."""
    out: dict[str | None, list[Record]] = {}
    for r in records:
        out.setdefault(r.parent, []).append(r)
    return out
