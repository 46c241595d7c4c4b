"""2000B/2010B: the requester (the provider or facility asking for the review)."""

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
from transactions.prior_auth.loop_2000c import read_2000c, write_2000c
from transactions.records import Record


def read_2000b(loop: Loop, ctx: ReadContext, parent: str) -> None:
    requester = ctx.party(first_loop(loop, "2010B"), "requester", parent)
    extra = level_extra(loop)
    if extra:
        requester.fields["levelExtra"] = extra
    for subscriber in loop.loops("2000C"):
        read_2000c(subscriber, ctx, requester.key)


def write_2000b(
    ts: TransactionBuilder, ctx: WriteContext, requester: Record, parent_hl: str
) -> None:
    subscribers = ctx.kids(requester.key, "party", ("subscriber",))
    hl = write_level_party(ts, "21", parent_hl, requester, bool(subscribers))
    for subscriber in subscribers:
        write_2000c(ts, ctx, subscriber, hl)
