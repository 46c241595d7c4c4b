"""Claim status: 276 request and 277 response (005010X212), 277CA claim acknowledgment
(005010X214), as normalized records.

Entities:

* ``transaction``: the BHT (:mod:`~transactions.claim_status.header`);
* ``party``: one per HL level, by ``role``: ``payer`` or ``information_source``
  (2000A), ``information_receiver`` (2000B), ``service_provider`` or
  ``billing_provider`` (2000C), ``subscriber`` or (277CA) ``patient`` (2000D),
  ``dependent`` (2000E); children point to the party of the level above
  (:mod:`~transactions.claim_status.levels`);
* ``claim_status_request`` (276 2200D/E) and ``claim_status`` (277 2200B-E,
  277CA 2200A-D), children of their level's party
  (:mod:`~transactions.claim_status.loop_2200`);
* ``service_line_status`` (2210D/E, 2220D/E), children of their claim record
  (:mod:`~transactions.claim_status.loop_2210`).

Conventions (empty values left out, decimal strings, ISO dates, derived fields,
``extra`` for what is not modelled) are in :mod:`~transactions.claim_status.common`.
"""

from __future__ import annotations

from typing import ClassVar

from parsers.envelope import TransactionSet
from parsers.segment import Segment
from parsers.writer import TransactionBuilder
from transactions.claim_status import header, hierarchy
from transactions.claim_status.common import Context, children, guide_of
from transactions.records import Record


class ClaimStatusPlugin:
    """276 / 277 / 277CA loops <-> ``transaction``, ``party``, ``claim_status_request``,
    ``claim_status`` and ``service_line_status`` records."""

    guides: ClassVar[tuple[str, ...]] = ("276", "277", "277CA")

    def read(self, ts: TransactionSet) -> list[Record]:
        guide = ts.guide.name if ts.guide is not None else ts.st01
        ctx = Context(guide)
        root = ts.root
        if root is None:
            return []
        bht = root.first("BHT")
        others: list[Segment] = [
            seg for seg in root.segments() if seg.tag not in ("ST", "SE") and seg is not bht
        ]
        ctx.records.append(header.read_header(bht, others))
        for level in root.loops("2000A"):
            hierarchy.read_level(ctx, level, None)
        return ctx.records

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        guide = guide_of(ts)
        head = next((r for r in records if r.entity == header.ENTITY), None)
        header.write_header(ts, guide, head)
        kids = children(records)
        for party in kids.get(None, []):
            if hierarchy.is_level(party):
                hierarchy.write_level(ts, guide, party, None, kids)


__all__ = ["ClaimStatusPlugin"]
