"""Who answers a real-time request, chosen in one place.

A request (270, 276 or 278) addressed to an ISA receiver that ``Settings.upstreams``
names is forwarded to that trading partner (:mod:`gateway.responders.upstream`); any
other is answered by the built-in payer responder for its guide (:data:`RESPONDERS`,
answering from the store). Either way the response interchange is stored like any
input (:func:`gateway.ingest.ingest`), so both sides of every exchange are kept; the
request itself is stored by the caller before it asks for an answer, so a failing
partner loses nothing.

``POST /v1/realtime`` (via :func:`gateway.realtime.respond`) and the JSON endpoints
(eligibility, claim status, prior authorization) all go through :func:`answer_x12`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select

from gateway.api.problems import Problem
from gateway.ingest import _allocate, default_registry, ingest
from gateway.responders.claim_status import answer_276
from gateway.responders.eligibility import answer_270
from gateway.responders.prior_auth import answer_278, precert_rules
from gateway.responders.upstream import failed, forward, upstream_for
from gateway.responders.upstream_ack import AckCodes, UpstreamAcknowledgment, ack_codes
from gateway.settings import Settings
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records
from transactions.emit import emit
from transactions.records import Record

log = structlog.get_logger("x12gw.upstream")

#: (the database, the request's records) -> (the response's records, the response's guide)
Responder = Callable[[Database, list[Record]], Awaitable[tuple[list[Record], str]]]


async def _eligibility(db: Database, records: list[Record]) -> tuple[list[Record], str]:
    return await answer_270(db, records), "271"


async def _claim_status(db: Database, records: list[Record]) -> tuple[list[Record], str]:
    return await answer_276(db, records), "277"


async def _prior_auth(db: Database, records: list[Record]) -> tuple[list[Record], str]:
    return answer_278(records, precert_rules()), "278R"


#: Request guide name -> the built-in responder; these are the requests answered in real time.
RESPONDERS: dict[str, Responder] = {
    "270": _eligibility,
    "276": _claim_status,
    "278": _prior_auth,
}
#: Request guide name -> the guide of its response (what an upstream must answer with).
RESPONSE_GUIDES = {"270": "271", "276": "277", "278": "278R"}


@dataclass(frozen=True, slots=True)
class Reply:
    """A stored response interchange."""

    x12: bytes
    #: its normalized records; empty when an upstream's answer could not be normalized
    records: list[Record]
    #: its guide name: "271", "277" or "278R"
    guide: str
    #: the stored response transaction set
    set_id: int | None
    #: the upstream that answered (its receiver ID), or None for the built-in responder
    upstream: str | None = None


async def answer_x12(
    db: Database,
    request_x12: bytes,
    records: list[Record],
    guide: str,
    *,
    sender: tuple[str, str],
    receiver: tuple[str, str],
    usage: str = "P",
    settings: Settings | None = None,
    partner_id: int | None = None,
    source: m.Source = m.Source.API,
) -> Reply:
    """Answer the (already stored) request interchange ``request_x12`` and store the answer.

    ``records`` are the request's records, ``guide`` its guide name ("270", "276", "278"),
    ``sender`` and ``receiver`` its ISA sender and receiver. ``partner_id`` (the caller's)
    is kept on the stored answer, so the partner may read it.
    """
    upstream = upstream_for(settings, receiver[1])
    if upstream is not None and settings is not None:
        name, config = upstream
        answer = await forward(
            name,
            config,
            request_x12,
            guide,
            timeout=settings.upstream_timeout_seconds,
            limit=settings.max_upload_bytes,
            sender_id=sender[1],
        )
        return await _stored_answer(db, answer, guide, name, source, partner_id)
    responder = RESPONDERS[guide]
    answer_records, response_guide = await responder(db, records)
    plugin = default_registry().for_guide(response_guide)
    if plugin is None:  # a configuration error: the responder names a guide nobody writes
        raise Problem(502, "responder", "No plugin writes the responder's answer")
    try:
        response = emit(
            plugin,
            answer_records,
            guide=response_guide,
            sender=receiver,
            receiver=sender,
            control=await _control(db, receiver[1]),
            usage=usage,
        )
    except ValueError as exc:  # a value X12 cannot carry
        raise Problem(502, "responder", "The responder's answer cannot be sent as X12") from exc
    stored = await ingest(db, response, source=source, partner_id=partner_id)
    set_id = next((i for o in stored.interchanges for i in o.transaction_sets), None)
    return Reply(response, answer_records, response_guide, set_id)


async def _control(db: Database, sender_id: str) -> int:
    """The next outbound ISA13 for ``sender_id`` (the counter the JSON endpoints use)."""
    async with db.session() as s:
        numbers = await _allocate(s, f"outbound:{sender_id}"[:20], 1)
        await s.commit()
        return next(numbers)


async def _stored_answer(
    db: Database,
    answer: bytes,
    guide: str,
    name: str,
    source: m.Source,
    partner_id: int | None,
) -> Reply:
    """Store an upstream's answer, then check it is the response ``guide`` asks for.

    A TA1/999 instead raises :class:`UpstreamAcknowledgment` (stored like any answer)."""
    expected = RESPONSE_GUIDES[guide]
    stored = await ingest(db, answer, source=source, partner_id=partner_id)
    if not stored.interchanges:
        ack = ack_codes(answer)
        if ack is not None:
            raise _acknowledged(name, answer, ack, guide, stored.upload_id)
        raise failed(
            name,
            "not-x12",
            502,
            f"The upstream {name}'s answer is not X12",
            upload=stored.upload_id,
        )
    outcome = stored.interchanges[0]
    async with db.session() as s:
        first = (
            await s.execute(
                select(m.TransactionSet)
                .where(m.TransactionSet.interchange_id == (outcome.duplicate_of or outcome.id))
                .order_by(m.TransactionSet.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        kind = (first.kind or first.st01) if first is not None else None
        ack = ack_codes(answer) if kind in (None, "999") else None
        if ack is not None:  # the partner's standard answer to a request it did not take
            raise _acknowledged(name, answer, ack, guide, stored.upload_id)
        if first is None or kind != expected:
            raise failed(
                name,
                "wrong-type",
                502,
                f"The upstream {name} answered with a {kind or 'no transaction set'}, "
                f"not a {expected}",
                upload=stored.upload_id,
            )
        records = await load_records(s, first.id) if first.status == m.Status.STORED else []
    return Reply(answer, records, expected, first.id, name)


def _acknowledged(
    name: str, answer: bytes, ack: AckCodes, guide: str, upload_id: int
) -> UpstreamAcknowledgment:
    log.info("upstream_acknowledged", upstream=name, kind=ack.kind, upload=upload_id)
    return UpstreamAcknowledgment(name, answer, ack, guide)
