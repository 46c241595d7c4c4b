"""The hierarchical levels (2000A-2000D) read and written the same way, one ``party`` each.

A level is its HL, the level's own segments (TRN traces at 2000C/2000D, AAA at
2000A), its name loop (2100A-2100D), at the person levels the 2110 loops
(inquiries in a 270, benefits in a 271), and the next level's HL loops. The
per-level differences (role, HL03 code, loop IDs, index values) are in
:mod:`~transactions.eligibility.loop_2000a` ... ``loop_2000d``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.eligibility import loop_2110_eb, loop_2110_eq
from transactions.eligibility.common import (
    Fields,
    put,
    put_raw,
    raw,
    set_if,
    text,
)
from transactions.eligibility.loop_2100 import read_name_loop, write_name_loop
from transactions.eligibility.segments import (
    read_rejections,
    write_rejections,
)
from transactions.records import Record

IndexRule = Callable[[Fields, Record | None], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Level:
    role: str
    hl_code: str  # HL03
    loop_id: str  # 2000A ...
    name_loop: str  # 2100A ...
    detail_loop: str | None  # 2110C / 2110D at the person levels
    index: IndexRule
    child: Level | None = None


@dataclass(slots=True)
class ReadState:
    """Counters for keys unique in the set, and the records read so far (parents first)."""

    records: list[Record] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def next(self, role: str) -> int:
        self.counts[role] = self.counts.get(role, 0) + 1
        return self.counts[role]


def read_level(loop: Loop, level: Level, parent: Record | None, state: ReadState) -> Record:
    """One HL loop and everything below it."""
    key = f"party:{level.role}:{state.next(level.role)}"
    hl = next(loop.segments("HL"), None)
    fields: Fields = {"role": level.role}
    record = Record(
        "party",
        key,
        parent.key if parent is not None else None,
        hl.ordinal if hl is not None else 0,
        fields,
    )
    state.records.append(record)
    traces: list[Segment] = []
    level_aaa: list[Segment] = []
    level_extra: list[list[Any]] = []
    for seg in loop.segments():
        tag = seg.elements[0]
        if tag == "HL" and seg is hl:
            continue
        if tag == "TRN":
            traces.append(seg)
        elif tag == "AAA":
            level_aaa.append(seg)
        else:
            level_extra.append(raw(seg))
    for n, seg in enumerate(traces, start=1):
        state.records.append(_read_trace(seg, f"{key}/trace:{n}", key))
    set_if(fields, "levelRejections", read_rejections(level_aaa))
    set_if(fields, "levelExtra", level_extra)
    name = next(loop.loops(level.name_loop), None)
    if name is not None:
        read_name_loop(name, fields)
        if level.detail_loop is not None:
            for n, detail in enumerate(name.loops(level.detail_loop), start=1):
                _read_detail(detail, key, n, state)
    record.index.update({k: v for k, v in level.index(fields, parent).items() if v})
    if level.child is not None:
        for child in loop.loops(level.child.loop_id):
            read_level(child, level.child, record, state)
    return record


def _read_detail(loop: Loop, parent_key: str, n: int, state: ReadState) -> None:
    first = next(loop.segments(), None)
    if first is not None and first.elements[0] == "EQ":
        state.records.append(
            loop_2110_eq.read_inquiry(loop, f"{parent_key}/inquiry:{n}", parent_key)
        )
    else:
        state.records.extend(
            loop_2110_eb.read_benefit(loop, f"{parent_key}/benefit:{n}", parent_key)
        )


def write_level(
    ts: TransactionBuilder,
    record: Record,
    level: Level,
    parent_hl: str | None,
    children: dict[str | None, list[Record]],
) -> None:
    """The HL loop of ``record`` and, from ``children``, everything below it."""
    fields = record.fields
    below = children.get(record.key, [])
    lower = [
        r
        for r in below
        if level.child is not None
        and r.entity == "party"
        and r.fields.get("role") == level.child.role
    ]
    hl = ts.hl(level.hl_code, parent_hl, bool(lower))
    for trace in (r for r in below if r.entity == "trace"):
        _write_trace(ts, trace.fields)
    write_rejections(ts, fields.get("levelRejections", []))
    for elements in fields.get("levelExtra", []):
        put_raw(ts, elements)
    write_name_loop(ts, fields)
    for detail in below:
        if detail.entity == "inquiry":
            loop_2110_eq.write_inquiry(ts, detail)
        elif detail.entity == "benefit":
            loop_2110_eb.write_benefit(ts, detail, children)
    if level.child is not None:
        for child in lower:
            write_level(ts, child, level.child, hl, children)


# TRN ---------------------------------------------------------------------------------


def _read_trace(seg: Segment, key: str, parent: str) -> Record:
    fields: Fields = {}
    set_if(fields, "traceType", text(seg, 1))
    set_if(fields, "referenceIdentification", text(seg, 2))
    set_if(fields, "originatingCompanyIdentifier", text(seg, 3))
    set_if(fields, "secondaryReferenceIdentification", text(seg, 4))
    index = {"trace_number": fields["referenceIdentification"]} if seg.get(2) else {}
    return Record("trace", key, parent, seg.ordinal, fields, index)


def _write_trace(ts: TransactionBuilder, fields: Fields) -> None:
    put(
        ts,
        "TRN",
        fields.get("traceType"),
        fields.get("referenceIdentification"),
        fields.get("originatingCompanyIdentifier"),
        fields.get("secondaryReferenceIdentification"),
    )
