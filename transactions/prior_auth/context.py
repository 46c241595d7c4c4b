"""State shared by the loop readers and writers of one 278 transaction set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.prior_auth.party import read_party, write_party
from transactions.prior_auth.segments import add_raw, raw
from transactions.records import Record


@dataclass(slots=True)
class ReadContext:
    header: Record
    records: list[Record] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: the subscriber's member ID, indexed on the reviews below it too
    member_id: str | None = None

    def number(self, scope: str) -> int:
        n = self.counts.get(scope, 0) + 1
        self.counts[scope] = n
        return n

    def party(self, loop: Loop | None, role: str, parent: str | None, prefix: str = "") -> Record:
        n = self.number(f"{prefix}party:{role}")
        record = read_party(
            loop if loop is not None else Loop(None, ""), role, f"{prefix}party:{role}:{n}", parent
        )
        self.records.append(record)
        return record


@dataclass(slots=True)
class WriteContext:
    children: dict[str | None, list[Record]]
    #: a 278 response (BHT02 11): some segments differ in order and presence
    response: bool

    @classmethod
    def of(cls, records: Iterable[Record], response: bool) -> WriteContext:
        children: dict[str | None, list[Record]] = {}
        for r in records:
            children.setdefault(r.parent, []).append(r)
        return cls(children, response)

    def kids(self, key: str, entity: str, roles: Iterable[str] | None = None) -> list[Record]:
        wanted = set(roles) if roles is not None else None
        return [
            r
            for r in self.children.get(key, [])
            if r.entity == entity and (wanted is None or r.fields.get("role") in wanted)
        ]


def level_extra(loop: Loop, known: Iterable[str] = ("HL",)) -> list[list[Any]]:
    """Segments of a 2000A-D level other than ``known`` ones (not in the guide: kept raw)."""
    tags = set(known)
    return [raw(seg) for seg in loop.segments() if seg.tag not in tags]


def first_loop(loop: Loop, loop_id: str) -> Loop | None:
    return next(loop.loops(loop_id), None)


def write_level_party(
    ts: TransactionBuilder, level: str, parent_hl: str | None, party: Record, children: bool
) -> str:
    """HL + the raw extras of the level + the party's 2010 loop; returns the HL ID."""
    hl = ts.hl(level, parent_hl, children)
    add_raw(ts, party.fields.get("levelExtra"))
    write_party(ts, party.fields)
    return hl
