"""2000C/2010C: the subscriber (the member), parent of a dependent or of the patient events."""

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
from transactions.prior_auth.loop_2000d import read_2000d, write_2000d
from transactions.prior_auth.loop_2000e import read_2000e, write_2000e
from transactions.records import Record


def read_2000c(loop: Loop, ctx: ReadContext, parent: str) -> None:
    subscriber = ctx.party(first_loop(loop, "2010C"), "subscriber", parent)
    extra = level_extra(loop)
    if extra:
        subscriber.fields["levelExtra"] = extra
    ctx.member_id = subscriber.fields.get("memberId")
    for child in loop.loops():
        if child.id == "2000D":
            read_2000d(child, ctx, subscriber.key)
        elif child.id == "2000E":
            read_2000e(child, ctx, subscriber.key)


def write_2000c(
    ts: TransactionBuilder, ctx: WriteContext, subscriber: Record, parent_hl: str
) -> None:
    dependents = ctx.kids(subscriber.key, "party", ("dependent",))
    reviews = ctx.kids(subscriber.key, "review")
    hl = write_level_party(ts, "22", parent_hl, subscriber, bool(dependents or reviews))
    for dependent in dependents:
        write_2000d(ts, ctx, dependent, hl)
    for review in reviews:
        write_2000e(ts, ctx, review, hl)
