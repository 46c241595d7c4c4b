"""Values, tables and bookkeeping shared by the 276/277/277CA loops.

Conventions of every claim status record:

* empty elements are left out of the fields (no ``None`` values);
* amounts and quantities are canonical decimal strings (``money``), dates ISO
  strings, times ``HH:MM[:SS]``; a value that does not convert (read leniently)
  is kept as its X12 text, so it is written back as it came;
* *derived* fields (``npi``, ``tin``, ``memberId``, ``statusSummary``, the 277CA
  ``patientControlNumber``) are convenience copies of modelled values: the
  writer never reads them, reading the written set derives them again;
* a segment this package does not model is kept in ``extra`` as its raw
  elements (composites as lists of components) and written back at the end of
  its loop, so nothing read is lost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any, Literal

from parsers.segment import Segment
from parsers.writer import Element, TransactionBuilder
from transactions.records import Record, money

Fields = dict[str, Any]
Kind = Literal["s", "r", "d"]
#: (element position, field name, kind): ``s`` text, ``r`` decimal, ``d`` CCYYMMDD date
Table = tuple[tuple[int, str, Kind], ...]

GUIDES = ("276", "277", "277CA")
X214 = "005010X214"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ISO_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\Z")


# values ------------------------------------------------------------------------


def from_x12(text: str, kind: Kind) -> str:
    if kind == "r":
        try:
            return money(text) or text
        except (InvalidOperation, ValueError):
            return text
    if kind == "d" and len(text) == 8 and text.isdigit():
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        except ValueError:
            return text
    return text


def to_x12(value: Any, kind: Kind) -> str:
    text = str(value)
    if kind == "d" and _ISO_DATE.match(text):
        return text.replace("-", "")
    return text


def time_from_x12(text: str) -> str:
    """HHMM[SS[D..]] to ``HH:MM[:SS[.D..]]``; other text is kept as it is."""
    if not text.isdigit() or len(text) not in (4, 6, 7, 8):
        return text
    out = f"{text[:2]}:{text[2:4]}"
    if len(text) >= 6:
        out += f":{text[4:6]}"
    if len(text) > 6:
        out += f".{text[6:]}"
    return out


def time_to_x12(value: str) -> str:
    return value.replace(":", "").replace(".", "") if _ISO_TIME.match(value) else value


def read_table(seg: Segment, table: Table) -> Fields:
    out: Fields = {}
    for pos, name, kind in table:
        text = seg.get(pos)
        if text:
            out[name] = from_x12(text, kind)
    return out


def write_table(fields: Fields, table: Table, width: int = 0) -> list[Element]:
    """Element values 1..n for ``fields`` (None where absent)."""
    size = max([width, *(pos for pos, _, _ in table)])
    values: list[Element] = [None] * size
    for pos, name, kind in table:
        value = fields.get(name)
        if value not in (None, ""):
            values[pos - 1] = to_x12(value, kind)
    return values


def compact(fields: Fields) -> Fields:
    """Drop empty values (None, "", empty lists and dicts)."""
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


# service periods (DTP*472 D8 or RD8) -------------------------------------------


PERIOD_FIELDS = frozenset(
    {"serviceDate", "serviceStartDate", "serviceEndDate", "serviceDateFormat", "serviceDateValue"}
)


def read_period(seg: Segment) -> Fields:
    """``serviceDate`` (D8) or ``serviceStartDate`` + ``serviceEndDate`` (RD8)."""
    fmt, value = seg.get(2), seg.get(3)
    if fmt == "RD8" and value.count("-") == 1:
        start, end = value.split("-")
        return compact(
            {"serviceStartDate": from_x12(start, "d"), "serviceEndDate": from_x12(end, "d")}
        )
    if fmt == "D8" and value:
        return {"serviceDate": from_x12(value, "d")}
    return compact({"serviceDateFormat": fmt, "serviceDateValue": value})


def write_period(ts: TransactionBuilder, qualifier: str, fields: Fields) -> None:
    if fields.get("serviceDate"):
        ts.add("DTP", qualifier, "D8", to_x12(fields["serviceDate"], "d"))
    elif fields.get("serviceStartDate") or fields.get("serviceEndDate"):
        start = to_x12(fields.get("serviceStartDate", ""), "d")
        end = to_x12(fields.get("serviceEndDate", ""), "d")
        ts.add("DTP", qualifier, "RD8", f"{start}-{end}")
    elif fields.get("serviceDateFormat") or fields.get("serviceDateValue"):
        ts.add("DTP", qualifier, fields.get("serviceDateFormat"), fields.get("serviceDateValue"))


def service_date(fields: Fields) -> str | None:
    """The index value of a service period: its (first) date when it is an ISO date."""
    when = fields.get("serviceDate") or fields.get("serviceStartDate")
    return when if isinstance(when, str) and _ISO_DATE.match(when) else None


# references (REF): named fields for the qualifiers users query, the rest as a list ----

#: REF qualifier -> field name
NAMED_REFS = {
    "1K": "payerClaimControlNumber",
    "EJ": "patientControlNumber",
    "BLT": "billTypeCode",
    "D9": "clearinghouseTraceNumber",
    "XZ": "pharmacyPrescriptionNumber",
    "VV": "voucherIdentifier",
    "LU": "locationNumber",
    "6P": "groupNumber",
    "FJ": "lineItemControlNumber",
}


def read_ref(seg: Segment, fields: Fields, refs: list[Fields], extra: list[list[Any]]) -> None:
    """A REF into its named field (the first of its qualifier) or the ``references`` list;
    one with elements past REF02 (not used by these guides) is kept raw."""
    name = NAMED_REFS.get(seg.get(1))
    if len(seg.elements) > 3 or not seg.get(1) or not seg.get(2):
        extra.append(raw(seg))
    elif name is not None and name not in fields:
        fields[name] = seg.get(2)
    else:
        refs.append({"qualifier": seg.get(1), "value": seg.get(2)})


def write_refs(ts: TransactionBuilder, fields: Fields, order: Sequence[str]) -> None:
    """Named and listed REFs, in the TR3 order of ``order`` (others after, as listed)."""
    pairs: list[tuple[str, str]] = [
        (q, str(fields[name])) for q, name in NAMED_REFS.items() if fields.get(name)
    ]
    pairs += [
        (str(r.get("qualifier", "")), str(r.get("value", ""))) for r in fields.get("references", [])
    ]
    rank = {q: i for i, q in enumerate(order)}
    for qualifier, value in sorted(pairs, key=lambda p: rank.get(p[0], len(order))):
        ts.add("REF", qualifier, value)


# raw segments -------------------------------------------------------------------


def raw(seg: Segment) -> list[Any]:
    """A segment as JSON: elements as text, composites as lists of components."""
    comp = seg.delims.component
    return [e.split(comp) if comp in e else e for e in seg.elements]


def write_raw(ts: TransactionBuilder, items: Iterable[list[Any]]) -> None:
    for item in items:
        tag, *values = item
        ts.add(str(tag), *(tuple(v) if isinstance(v, list) else v for v in values))


# reading context -----------------------------------------------------------------


@dataclass(slots=True)
class Context:
    """The guide being read and the records so far, with a counter per key prefix."""

    guide: str
    records: list[Record] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next_key(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}:{n}"


def guide_of(ts: TransactionBuilder) -> str:
    """The claim status guide a builder writes: 276, 277 (X212) or 277CA (X214)."""
    if ts.st01 == "276":
        return "276"
    return "277CA" if ts.version.startswith(X214) else "277"


def children(records: Sequence[Record]) -> dict[str | None, list[Record]]:
    """Records by parent key, in list order."""
    out: dict[str | None, list[Record]] = {}
    for rec in records:
        out.setdefault(rec.parent, []).append(rec)
    return out
