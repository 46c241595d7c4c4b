"""Requests that arrive in a batch (270, 276, 278 posted as files) get their answers
in the requester's outbox.

The request is stored first (by the caller, through :func:`gateway.ingest.ingest`);
then each accepted, normalized request transaction set is answered as a real-time one
would be (:func:`gateway.responders.answer.answer_x12`: the built-in responder, or the
upstream its ISA receiver names), the answer is stored, and placed for the partner
bound to the request's ISA sender.

A request that cannot be answered now for a passing reason (the database, an upstream
that timed out, could not be reached or answered 5xx) is answered later by a job that
retries with backoff up to ``X12GW_ANSWER_MAX_ATTEMPTS``; one that cannot be answered
at all (an upstream's wrong answer, a responder error), or still fails after the last
try, leaves a failed ``answer`` attempt on its interchange for a person to look at.
Either way the batch itself was accepted and acknowledged already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import structlog

from gateway.ingest import IngestResult
from gateway.outbox import place_stored_set
from gateway.replay import is_transient
from gateway.responders.answer import RESPONDERS, answer_x12
from gateway.settings import Settings
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records

log = structlog.get_logger("x12gw.batch")

#: response guide -> the kind an outbox item shows
OUTBOX_KINDS = {"271": "271", "277": "277", "278R": "278"}


#: (interchange ID, request transaction set ID) -> queue a job that answers it later
Defer = Callable[[int, int], Awaitable[None]]


class AnswerPending(Exception):
    """Raised by :func:`answer_later` so the job queue tries again after its backoff."""


def worth_retrying(exc: BaseException) -> bool:
    """The database or the network failed, or an upstream timed out or answered 5xx."""
    return is_transient(exc) or bool(getattr(exc, "transient", False))


async def answer_requests(
    db: Database,
    result: IngestResult,
    *,
    partner_id: int | None = None,
    settings: Settings | None = None,
    defer: Defer | None = None,
) -> list[dict[str, int | str | None]]:
    """Answer the request sets of a stored batch; returns what was placed (IDs and kinds)
    and what was left to a retrying job (``status: "retrying"``)."""
    out: list[dict[str, int | str | None]] = []
    for outcome in result.interchanges:
        if outcome.status in (m.Status.DUPLICATE, m.Status.REJECTED):
            continue  # a resend was answered the first time; a rejected one is not read
        for set_id in outcome.transaction_sets:
            try:
                placed = await _answer_set(db, outcome.id, set_id, partner_id, settings)
            except Exception as exc:  # one unanswerable request must not stop the others
                if defer is not None and worth_retrying(exc):
                    await defer(outcome.id, set_id)
                    await _record(db, outcome.id, set_id, exc, "retrying")
                    out.append({"requestTransactionSetId": set_id, "status": "retrying"})
                else:
                    await _record(db, outcome.id, set_id, exc, "failed")
                continue
            if placed is not None:
                out.append(placed)
    return out


async def answer_later(
    db: Database,
    interchange_id: int,
    set_id: int,
    partner_id: int | None,
    settings: Settings | None,
    *,
    last_try: bool,
) -> None:
    """A job's try at answering one request set; :class:`AnswerPending` asks for another."""
    try:
        placed = await _answer_set(db, interchange_id, set_id, partner_id, settings)
    except Exception as exc:
        if worth_retrying(exc) and not last_try:
            raise AnswerPending(type(exc).__name__) from exc
        await _record(db, interchange_id, set_id, exc, "failed")
        return
    if placed is not None:
        await _record(db, interchange_id, set_id, None, "answered")


async def _record(
    db: Database, interchange_id: int, set_id: int, exc: BaseException | None, outcome: str
) -> None:
    """An ``answer`` attempt on the request's interchange (IDs and error class only)."""
    error = type(exc).__name__ if exc is not None else None
    if exc is None:
        log.info("batch.answer_" + outcome, set_id=set_id)
    else:
        log.warning("batch.answer_" + outcome, set_id=set_id, error=error)
    failure = None if exc is None else ("transient" if worth_retrying(exc) else "permanent")
    try:
        async with db.session() as s:
            s.add(
                m.Attempt(
                    interchange_id=interchange_id,
                    kind="answer",
                    actor="worker",
                    finished_at=dt.datetime.now(dt.UTC),
                    outcome=outcome,
                    failure=failure,
                    error=error,
                    findings=[],
                    sets=[{"id": set_id, "status": outcome}],
                    diff=[],
                    acks_reissued=[],
                )
            )
            await s.commit()
    except Exception:  # the database may be what failed; the log line above stays
        log.warning("batch.attempt_not_recorded", set_id=set_id)


async def _answer_set(
    db: Database,
    interchange_id: int,
    set_id: int,
    partner_id: int | None,
    settings: Settings | None,
) -> dict[str, int | str | None] | None:
    async with db.session() as s:
        request = await s.get(m.TransactionSet, set_id)
        guide = (request.kind or request.st01) if request is not None else None
        if request is None or guide not in RESPONDERS or request.status != m.Status.STORED:
            return None
        ic = await s.get(m.Interchange, interchange_id)
        upload = await s.get(m.Upload, ic.upload_id) if ic is not None else None
        if ic is None or upload is None:
            return None
        raw = upload.raw[ic.start_offset : ic.end_offset]
        records = await load_records(s, set_id)
        sender = (ic.sender_qualifier, ic.sender_id)
        receiver = (ic.receiver_qualifier, ic.receiver_id)
        usage = ic.usage if ic.usage in ("P", "T") else "P"
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
    )
    if reply.set_id is None:
        return None
    kind = OUTBOX_KINDS.get(reply.guide, reply.guide)
    async with db.session() as s:
        item = await place_stored_set(s, reply.set_id, receiver=sender, kinds=kind)
        await s.commit()
    log.info("batch.answered", request=set_id, response=reply.set_id, kind=kind)
    return {
        "requestTransactionSetId": set_id,
        "responseTransactionSetId": reply.set_id,
        "kind": kind,
        "outboxItemId": item.id if item is not None else None,
    }
