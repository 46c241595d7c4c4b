"""Walking the HL levels: 2000A (information source) down to 2000E (dependent).

Reading goes loop by loop in input order; writing goes party by party from the
records' parent links, in list order: a level's HL (HL04 says whether parties
sit below it), its name loops, its 2200 records, then the levels below.
"""

from __future__ import annotations

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.claim_status import (
    loop_2000a,
    loop_2000b,
    loop_2000c,
    loop_2000d,
    loop_2000e,
    loop_2200,
)
from transactions.claim_status.common import Context
from transactions.claim_status.levels import ENTITY, Level, read_party, write_name_loop, write_party
from transactions.records import Record

LEVELS: dict[str, Level] = {
    m.LEVEL.letter: m.LEVEL for m in (loop_2000a, loop_2000b, loop_2000c, loop_2000d, loop_2000e)
}
#: role -> level (roles are unique across levels)
BY_ROLE: dict[str, Level] = {role: level for level in LEVELS.values() for role in level.roles}
TRACKING = frozenset({loop_2200.REQUEST, loop_2200.STATUS})


def read_level(ctx: Context, loop: Loop, parent: str | None) -> None:
    level = LEVELS[loop.id[-1]]
    key = read_party(ctx, level, loop, parent)
    for tracking in loop.loops(f"2200{level.letter}"):
        loop_2200.read_tracking(ctx, tracking, key, level.letter)
    if level.child is not None:
        for child in loop.loops(f"2000{level.child}"):
            read_level(ctx, child, key)


def is_level(record: Record) -> bool:
    return (
        record.entity == ENTITY
        and not record.fields.get("additionalName")
        and record.fields.get("role") in BY_ROLE
    )


def write_level(
    ts: TransactionBuilder,
    guide: str,
    party: Record,
    parent_hl: str | None,
    kids: dict[str | None, list[Record]],
) -> None:
    level = BY_ROLE[str(party.fields["role"])]
    below = kids.get(party.key, [])
    levels = [r for r in below if is_level(r)]
    hl = write_party(ts, guide, level, party, parent_hl, bool(levels))
    for r in below:
        if r.entity == ENTITY and r.fields.get("additionalName"):
            write_name_loop(ts, level, guide, r.fields)
    for r in below:
        if r.entity in TRACKING:
            loop_2200.write_tracking(ts, guide, level.letter, r, kids)
    for r in levels:
        write_level(ts, guide, r, hl, kids)
