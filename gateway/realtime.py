"""Real-time X12 pairs: one request interchange in, its answer interchange out.

The request is stored with :func:`gateway.ingest.ingest` (bytes, envelopes, findings,
normalized records and acknowledgments) like any other input. When it has errors the
answer is its TA1/999; otherwise :func:`gateway.responders.answer.answer_x12` answers
it: the trading partner its ISA receiver names when one is configured as an upstream
(whose TA1/999, when it answers with one, is passed on as the answer), else the
built-in responder for its guide (:data:`RESPONDERS`), whose records are emitted as the
response interchange (sender and receiver swapped, a new control number). The response
is stored too.

270 -> 271, 276 -> 277 and 278 request -> 278 response are answered; another pair
plugs in by adding an entry to :data:`RESPONDERS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from gateway.ingest import IngestResult, ingest
from gateway.responders.answer import RESPONDERS, Responder, answer_x12
from gateway.responders.upstream_ack import UpstreamAcknowledgment
from gateway.settings import Settings
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records

__all__ = [
    "RESPONDERS",
    "RealtimeAnswer",
    "RealtimeError",
    "Responder",
    "ack_kind",
    "answer",
    "respond",
]


class RealtimeError(Exception):
    """The request cannot be answered in real time (nothing readable, no responder ...)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True, slots=True)
class RealtimeAnswer:
    x12: bytes
    #: the response's guide name ("271" ...), or "999" / "TA1" when the request was rejected
    #: (by the gateway, or by the upstream that was asked)
    kind: str
    #: the request's guide name, when its transaction set could be read
    request_guide: str | None = None
    interchange_id: int | None = None


_ST_999 = re.compile(rb"ST([^A-Za-z0-9\s])999\1")


def ack_kind(result: IngestResult) -> str:
    """ "999" when the acknowledgments hold a 999 (with or without a TA1), else "TA1"."""
    return "999" if _ST_999.search(result.acks) else "TA1"


async def respond(
    db: Database,
    x12: bytes,
    *,
    source: m.Source = m.Source.API,
    snip_level: int = 3,
    partner_id: int | None = None,
    settings: Settings | None = None,
) -> RealtimeAnswer:
    """Store the request interchange ``x12`` and answer it (the response or its acks).

    ``partner_id`` (the caller's) is kept on both uploads, so the partner may read the answer;
    ``settings`` name the upstreams (none: the built-in responders answer everything).
    """
    result = await ingest(db, x12, source=source, snip_level=snip_level, partner_id=partner_id)
    if not result.interchanges:
        raise RealtimeError("no-interchange", "No interchange could be read from the request")
    outcome = result.interchanges[0]
    async with db.session() as s:
        ic = await s.get(m.Interchange, outcome.duplicate_of or outcome.id)
        assert ic is not None
        sets = (
            (
                await s.execute(
                    select(m.TransactionSet)
                    .where(m.TransactionSet.interchange_id == ic.id)
                    .order_by(m.TransactionSet.id)
                )
            )
            .scalars()
            .all()
        )
        rejected = (
            ic.status == m.Status.REJECTED
            or not sets
            or any(not t.accepted or t.status == m.Status.REJECTED for t in sets)
        )
        if rejected:
            if not result.acks:
                raise RealtimeError("no-interchange", "The request could not be read")
            return RealtimeAnswer(result.acks, ack_kind(result), None, outcome.id)
        count = len(sets) + len(result.interchanges) - 1
        if count > 1:  # CAQH CORE real time: one transaction set in one interchange
            raise RealtimeError(
                "one-transaction-set",
                f"Real time answers one transaction set in one interchange; this request holds "
                f"{count} (it is stored): post it to /v1/interchanges as a batch",
            )
        request = sets[0]
        guide = request.kind or request.st01
        if guide not in RESPONDERS:
            raise RealtimeError(
                "not-real-time", f"A {guide} is not answered in real time; send it as a batch"
            )
        if request.status != m.Status.STORED:
            raise RealtimeError("not-readable", f"The {guide} could not be normalized")
        records = await load_records(s, request.id)
        raw = x12  # what an upstream gets: the body as sent
        sender = (ic.sender_qualifier, ic.sender_id)
        receiver = (ic.receiver_qualifier, ic.receiver_id)
        usage = ic.usage if ic.usage in ("P", "T") else "P"
    # no session held while the answer is made: an upstream may take its time
    try:
        reply = await answer_x12(
            db,
            raw,
            records,
            guide,
            sender=sender,
            receiver=receiver,
            usage=usage,
            settings=settings,
            partner_id=partner_id,
            source=source,
        )
    except UpstreamAcknowledgment as ack:  # the partner's TA1/999 is its answer here
        return RealtimeAnswer(ack.x12, ack.ack_kind, guide, outcome.id)
    return RealtimeAnswer(reply.x12, reply.guide, guide, outcome.id)


async def answer(db: Database, x12: bytes) -> bytes:
    """The answer to a real-time request interchange: the response, or the request's TA1/999."""
    return (await respond(db, x12)).x12
