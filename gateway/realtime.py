"""Real-time X12 pairs: one request interchange in, its answer interchange out.

The request is stored with :func:`gateway.ingest.ingest` (bytes, envelopes, findings,
normalized records and acknowledgments) like any other input. When it has errors the
answer is its TA1/999; otherwise the request's records go to the responder registered
for its guide (:data:`RESPONDERS`), whose records are emitted as the response
interchange (sender and receiver swapped, a new control number) and stored too.

270 -> 271, 276 -> 277 and 278 request -> 278 response are answered; another pair
plugs in by adding an entry to :data:`RESPONDERS`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select

from gateway.api.eligibility import _control
from gateway.ingest import IngestResult, default_registry, ingest
from gateway.responders.claim_status import answer_276
from gateway.responders.eligibility import answer_270
from gateway.responders.prior_auth import answer_278, precert_rules
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records
from transactions.emit import emit
from transactions.records import Record

#: (the database, the request's records) -> (the response's records, the response's guide)
Responder = Callable[[Database, list[Record]], Awaitable[tuple[list[Record], str]]]


async def _eligibility(db: Database, records: list[Record]) -> tuple[list[Record], str]:
    return await answer_270(db, records), "271"


async def _claim_status(db: Database, records: list[Record]) -> tuple[list[Record], str]:
    return await answer_276(db, records), "277"


async def _prior_auth(db: Database, records: list[Record]) -> tuple[list[Record], str]:
    return answer_278(records, precert_rules()), "278R"


#: Request guide name -> its responder.
RESPONDERS: dict[str, Responder] = {
    "270": _eligibility,
    "276": _claim_status,
    "278": _prior_auth,
}


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
) -> RealtimeAnswer:
    """Store the request interchange ``x12`` and answer it (the response or its acks).

    ``partner_id`` (the caller's) is kept on both uploads, so the partner may read the answer.
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
        request = sets[0]
        guide = request.kind or request.st01
        responder = RESPONDERS.get(guide)
        if responder is None:
            raise RealtimeError(
                "not-real-time", f"A {guide} is not answered in real time; send it as a batch"
            )
        if request.status != m.Status.STORED:
            raise RealtimeError("not-readable", f"The {guide} could not be normalized")
        records = await load_records(s, request.id)
        sender = (ic.receiver_qualifier, ic.receiver_id)
        receiver = (ic.sender_qualifier, ic.sender_id)
        usage = ic.usage if ic.usage in ("P", "T") else "P"
    answer, response_guide = await responder(db, records)
    plugin = default_registry().for_guide(response_guide)
    if plugin is None:  # a configuration error: the responder names a guide nobody writes
        raise RealtimeError("not-real-time", f"No plugin writes a {response_guide}")
    async with db.session() as s:
        control = await _control(s, sender[1])
    response = emit(
        plugin,
        answer,
        guide=response_guide,
        sender=sender,
        receiver=receiver,
        control=control,
        usage=usage,
    )
    await ingest(db, response, source=source, partner_id=partner_id)
    return RealtimeAnswer(response, response_guide, guide, outcome.id)


async def answer(db: Database, x12: bytes) -> bytes:
    """The answer to a real-time request interchange: the response, or the request's TA1/999."""
    return (await respond(db, x12)).x12
