"""2000D/2010D: the dependent, when the patient is not the subscriber."""

from __future__ import annotations

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.prior_auth.context import (
    ReadContext,
    WriteContext,
    first_loop,
    level_extra,
    write_level_party,
)
from transactions.prior_auth.loop_2000e import read_2000e, write_2000e
from transactions.records import Record


def read_2000d(loop: Loop, ctx: ReadContext, parent: str) -> None:
    dependent = ctx.party(first_loop(loop, "2010D"), "dependent", parent)
    extra = level_extra(loop)
    if extra:
        dependent.fields["levelExtra"] = extra
    if ctx.member_id:
        dependent.index["member_id"] = ctx.member_id  # a 5010 dependent goes by the subscriber's ID
    for event in loop.loops("2000E"):
        read_2000e(event, ctx, dependent.key)


def write_2000d(
    ts: TransactionBuilder, ctx: WriteContext, dependent: Record, parent_hl: str
) -> None:
    reviews = ctx.kids(dependent.key, "review")
    hl = write_level_party(ts, "23", parent_hl, dependent, bool(reviews))
    for review in reviews:
        write_2000e(ts, ctx, review, hl)
