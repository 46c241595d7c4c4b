"""Element <-> field conversions shared by the 835 loops.

Each modelled segment is described by a table of ``(position, field, kind)``:
kind ``s`` keeps the text, ``r`` is a decimal (amounts and quantities, as
canonical decimal strings), ``d`` a CCYYMMDD date (as an ISO string). A value
that does not convert (a malformed date in a file read leniently) is kept as
read, so it is written back as it came.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import InvalidOperation
from typing import Any, Literal

from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import Element, TransactionBuilder
from transactions.records import Record, money

Kind = Literal["s", "r", "d"]
Table = tuple[tuple[int, str, Kind], ...]
Fields = dict[str, Any]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


# values ----------------------------------------------------------------------


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
    if kind == "d" and _ISO.match(text):
        return text.replace("-", "")
    return text


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


def put(values: list[Element], pos: int, value: Element) -> None:
    """Set element ``pos`` (1-based), growing the list."""
    while len(values) < pos:
        values.append(None)
    values[pos - 1] = value


# raw segments: what is not modelled is carried as element lists ------------------------


def raw(seg: Segment) -> list[Any]:
    """A segment as JSON: elements as text, composites as lists of components."""
    comp = seg.delims.component
    return [e.split(comp) if comp in e else e for e in seg.elements]


def write_raw(ts: TransactionBuilder, items: Iterable[list[Any]]) -> None:
    for item in items:
        tag, *values = item
        ts.add(str(tag), *(tuple(v) if isinstance(v, list) else v for v in values))


def put_extra(fields: Fields, extra: list[list[Any]]) -> None:
    if extra:
        fields["extra"] = extra


# shared segment shapes ---------------------------------------------------------------

ENTITY_TYPES = {"1": "person", "2": "organization"}
ENTITY_CODES = {v: k for k, v in ENTITY_TYPES.items()}


def read_nm1(seg: Segment) -> Fields:
    """NM102-NM109 of an NM1 as a name dict (NM101 is implied by where it is kept)."""
    code = seg.get(2)
    entity = ENTITY_TYPES.get(code, code)
    out: Fields = {"entityType": entity} if entity else {}
    name = seg.get(3)
    if name:
        out["organizationName" if code == "2" else "lastName"] = name
    for pos, key in ((4, "firstName"), (5, "middleName"), (7, "suffix")):
        if seg.get(pos):
            out[key] = seg.get(pos)
    if seg.get(8):
        out["idQualifier"] = seg.get(8)
    if seg.get(9):
        out["identifier"] = seg.get(9)
        if seg.get(8) == "XX":
            out["npi"] = seg.get(9)
        elif seg.get(8) == "FI":
            out["tin"] = seg.get(9)
    return out


def write_nm1(ts: TransactionBuilder, qualifier: str, name: Fields) -> None:
    entity = name.get("entityType")
    ts.add(
        "NM1",
        qualifier,
        ENTITY_CODES.get(entity, entity) if entity else None,
        name.get("lastName") or name.get("organizationName"),
        name.get("firstName"),
        name.get("middleName"),
        None,
        name.get("suffix"),
        name.get("idQualifier"),
        name.get("identifier"),
    )


ADDRESS: Table = ((1, "city", "s"), (2, "state", "s"), (3, "postalCode", "s"), (4, "country", "s"))


def read_address(loop: Loop) -> Fields:
    out: Fields = {}
    n3 = loop.first("N3")
    if n3 is not None:
        out.update(read_table(n3, ((1, "line1", "s"), (2, "line2", "s"))))
    n4 = loop.first("N4")
    if n4 is not None:
        out.update(read_table(n4, (*ADDRESS, (7, "countrySubdivision", "s"))))
    return out


def write_address(ts: TransactionBuilder, address: Fields) -> None:
    if "line1" in address or "line2" in address:
        ts.add("N3", address.get("line1"), address.get("line2"))
    if any(k in address for k in ("city", "state", "postalCode", "country", "countrySubdivision")):
        values = write_table(address, ADDRESS)
        if address.get("countrySubdivision"):
            put(values, 7, address["countrySubdivision"])
        ts.add("N4", *values)


def read_contact(seg: Segment) -> Fields:
    """PER: function code, name and up to three communication numbers."""
    out: Fields = {"functionCode": seg.get(1)}
    if seg.get(2):
        out["name"] = seg.get(2)
    comms = [
        {"qualifier": seg.get(pos), "number": seg.get(pos + 1)}
        for pos in (3, 5, 7)
        if seg.get(pos) or seg.get(pos + 1)
    ]
    if comms:
        out["communications"] = comms
    return out


def write_contact(ts: TransactionBuilder, contact: Fields) -> None:
    values: list[Element] = [contact.get("functionCode"), contact.get("name")]
    for comm in contact.get("communications", []):
        values += [comm.get("qualifier"), comm.get("number")]
    ts.add("PER", *values)


def read_ref(seg: Segment) -> Fields:
    return {"qualifier": seg.get(1), "value": seg.get(2)}


def write_refs(ts: TransactionBuilder, refs: Iterable[Fields]) -> None:
    for ref in refs:
        ts.add("REF", ref.get("qualifier"), ref.get("value"))


def read_composite(seg: Segment, pos: int, desc: int = 7) -> Fields:
    """A C003 procedure composite: qualifier, code, modifiers (3-6), description."""
    parts = seg.components(pos)
    if not parts:
        return {}

    def part(n: int) -> str:
        return parts[n - 1] if len(parts) >= n else ""

    out: Fields = {}
    if part(1):
        out["qualifier"] = part(1)
    if part(2):
        out["code"] = part(2)
    modifiers = [part(n) for n in range(3, 7) if part(n)]
    if modifiers:
        out["modifiers"] = modifiers
    if part(desc):
        out["description"] = part(desc)
    return out


def write_composite(proc: Fields) -> tuple[str, ...] | None:
    if not proc:
        return None
    modifiers = list(proc.get("modifiers", []))[:4]
    parts = [proc.get("qualifier", ""), proc.get("code", ""), *modifiers]
    if proc.get("description"):
        parts += [""] * (6 - len(parts)) + [proc["description"]]
    return tuple(str(p) for p in parts)


# qualified segments (DTM, AMT, QTY): one named field per qualifier ------------------------


def read_qualified(
    segs: Iterable[Segment], names: dict[str, str], kind: Kind, extra: list[list[Any]]
) -> Fields:
    """``{names[qualifier]: value}``; unknown or repeated qualifiers go to ``extra``."""
    out: Fields = {}
    for seg in segs:
        name = names.get(seg.get(1))
        if name is None or name in out or not seg.get(2):
            extra.append(raw(seg))
            continue
        out[name] = from_x12(seg.get(2), kind)
    return out


def write_qualified(
    ts: TransactionBuilder, tag: str, values: Fields, names: dict[str, str], kind: Kind
) -> None:
    """In the order of ``names`` (the TR3's order where it has one)."""
    for qualifier, name in names.items():
        if values.get(name) not in (None, ""):
            ts.add(tag, qualifier, to_x12(values[name], kind))


# records -------------------------------------------------------------------------------


def children(records: Sequence[Record]) -> dict[str | None, list[Record]]:
    """Records by parent key, in list order."""
    out: dict[str | None, list[Record]] = {}
    for rec in records:
        out.setdefault(rec.parent, []).append(rec)
    return out


def first_ordinal(loop: Loop) -> int:
    for seg in loop.walk():
        return seg.ordinal
    return 0


def compact(fields: Fields) -> Fields:
    """Drop empty values (None, "", empty lists and dicts)."""
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}
