"""Eligibility, coverage or benefit inquiry and response: 270 and 271 (005010X279A1).

Records of one transaction set, parents first:

* ``transaction`` (BHT), key ``transaction``;
* ``party`` per HL level: ``information_source`` (2000A/2100A, the payer),
  ``information_receiver`` (2000B/2100B, the provider), ``subscriber``
  (2000C/2100C), ``dependent`` (2000D/2100D), keyed ``party:<role>:<n>`` and
  linked to the level above;
* ``trace`` (TRN) under a subscriber or dependent, index ``trace_number``:
  a 271 echoes the 270's TRN02 (TRN01=2), which links the two;
* ``inquiry`` (270 EQ, 2110C/2110D) under its person;
* ``benefit`` (271 EB, 2110C/2110D) under its person, with 2120 benefit
  related entities as child ``party`` records.

Modules follow the TR3 loops: :mod:`.header`, :mod:`.loop_2000` (shared HL
logic) with :mod:`.loop_2000a` ... :mod:`.loop_2000d`, :mod:`.loop_2100` (name
loops), :mod:`.loop_2110_eq`, :mod:`.loop_2110_eb`, :mod:`.loop_2115`,
:mod:`.loop_2120`.
"""

from __future__ import annotations

from typing import ClassVar

from parsers.envelope import TransactionSet
from parsers.writer import TransactionBuilder
from transactions.eligibility.common import children_of, put_raw, raw
from transactions.eligibility.header import read_header, write_header
from transactions.eligibility.loop_2000 import ReadState, read_level, write_level
from transactions.eligibility.loop_2000a import SOURCE
from transactions.records import Record


class EligibilityPlugin:
    """270 <-> ``inquiry`` records, 271 <-> ``benefit`` records, both with their parties."""

    guides: ClassVar[tuple[str, ...]] = ("270", "271")

    def read(self, ts: TransactionSet) -> list[Record]:
        state = ReadState()
        if ts.root is None:  # read without its tree: nothing to map
            return []
        header: Record | None = None
        extra: list[list[object]] = []
        for seg in ts.root.segments():
            tag = seg.elements[0]
            if tag == "BHT" and header is None:
                header = read_header(seg)
            elif tag not in ("ST", "SE"):
                extra.append(raw(seg))
        if header is not None:
            if extra:
                header.fields["extra"] = extra
            state.records.append(header)
        for loop in ts.root.loops(SOURCE.loop_id):
            read_level(loop, SOURCE, None, state)
        return state.records

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        children = children_of(records)
        header = next((r for r in records if r.entity == "transaction"), None)
        if header is None:
            raise ValueError("eligibility records need a 'transaction' record (BHT)")
        write_header(ts, header)
        for elements in header.fields.get("extra", []):
            put_raw(ts, elements)
        for record in records:
            if (
                record.entity == "party"
                and record.parent is None
                and record.fields.get("role") == SOURCE.role
            ):
                write_level(ts, record, SOURCE, None, children)


__all__ = ["EligibilityPlugin"]
