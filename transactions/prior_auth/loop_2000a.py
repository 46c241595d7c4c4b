"""2000A/2010A: the utilization management organization (UMO) that reviews the request."""

from __future__ import annotations

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.prior_auth.context import ReadContext, WriteContext, first_loop, level_extra
from transactions.prior_auth.loop_2000b import read_2000b, write_2000b
from transactions.prior_auth.party import write_party
from transactions.prior_auth.segments import AAA, add, add_raw, take


def read_2000a(loop: Loop, ctx: ReadContext) -> None:
    """The UMO party; a response's 2000A AAA (request validation) goes on the header."""
    rejections = [take(seg, AAA) for seg in loop.segments("AAA")]
    if rejections:
        ctx.header.fields["rejections"] = rejections
    umo = ctx.party(first_loop(loop, "2010A"), "umo", ctx.header.key)
    extra = level_extra(loop, ("HL", "AAA"))
    if extra:
        umo.fields["levelExtra"] = extra
    for requester in loop.loops("2000B"):
        read_2000b(requester, ctx, umo.key)


def write_2000a(ts: TransactionBuilder, ctx: WriteContext, header_key: str) -> None:
    header = ctx.children.get(None, [])
    rejections = next((h.fields.get("rejections") for h in header if h.key == header_key), None)
    for umo in ctx.kids(header_key, "party", ("umo",)):
        requesters = ctx.kids(umo.key, "party", ("requester",))
        hl = ts.hl("20", None, bool(requesters))
        for rejection in rejections or ():
            add(ts, "AAA", rejection, AAA)
        add_raw(ts, umo.fields.get("levelExtra"))
        write_party(ts, umo.fields)
        for requester in requesters:
            write_2000b(ts, ctx, requester, hl)
