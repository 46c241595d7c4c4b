"""The partner outbox: every interchange the gateway emits for a partner, until collected.

An emitted interchange belongs to the partner bound (``partner_sender``) to its ISA
receiver: acknowledgments go back to the original sender, responses to the requester,
835s and 277s to the claim's submitter. :func:`place` records the item in the caller's
database transaction and, when the partner has an active webhook, defers its delivery
in that same transaction (procrastinate's queue lives in the same PostgreSQL): the
notification exists exactly when the item does, never before its commit and never for
a rolled-back one.

Webhook bodies name the item and link to it; they never carry the X12 (which may hold
PHI): the partner collects that with its API key. Each POST is signed:
``X-X12GW-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>``
with ``X-X12GW-Timestamp`` (Unix seconds), so a receiver can refuse replays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Sequence
from typing import Any

import httpx
import structlog
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.secretbox import SecretUnreadable, decrypt
from gateway.settings import Settings
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.outbox import OutboxItem, Webhook, WebhookDelivery

log = structlog.get_logger("x12gw.outbox")

#: procrastinate queue and task of webhook deliveries (registered in ``gateway.jobs``)
QUEUE = "x12gw"
DELIVERY_TASK = "x12gw.webhook"
SIGNATURE_HEADER = "X-X12GW-Signature"
TIMESTAMP_HEADER = "X-X12GW-Timestamp"
#: the recorded error of an attempt whose stored secret the key cannot decrypt
SECRET_UNREADABLE = "secret unreadable"
#: acknowledgments of these sources are answered in the response itself, not in the outbox
_NOT_PLACED = frozenset({m.Source.API.value})

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
    "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
)


async def partner_for(session: AsyncSession, receiver: tuple[str, str]) -> int | None:
    """The partner bound to the ISA ID ``receiver`` (qualifier, ID), if any."""
    qualifier, ident = receiver
    found: int | None = (
        await session.execute(
            select(m.PartnerSender.partner_id).where(
                m.PartnerSender.qualifier == qualifier.strip(),
                m.PartnerSender.sender_id == ident.strip(),
            )
        )
    ).scalar_one_or_none()
    return found


async def submitter_of(session: AsyncSession, interchange_id: int) -> int | None:
    """The partner who sent a stored interchange: the one bound to its ISA sender, else
    the one whose key posted it (JSON endpoints send as the gateway's own ISA ID)."""
    row = (
        await session.execute(
            select(m.Interchange.sender_qualifier, m.Interchange.sender_id, m.Upload.partner_id)
            .join(m.Upload, m.Upload.id == m.Interchange.upload_id)
            .where(m.Interchange.id == interchange_id)
        )
    ).one_or_none()
    if row is None:
        return None
    bound = await partner_for(session, (row.sender_qualifier, row.sender_id))
    return bound if bound is not None else row.partner_id


async def place(
    session: AsyncSession,
    *,
    receiver: tuple[str, str] | None = None,
    partner_id: int | None = None,
    kinds: str | Sequence[str],
    control_number: str,
    acknowledgment_id: int | None = None,
    interchange_id: int | None = None,
    span: tuple[int, int] | None = None,
) -> OutboxItem | None:
    """Put an emitted interchange in the outbox of the partner its ISA ``receiver`` names
    (or of ``partner_id``, when the caller knows it).

    Exactly one of ``acknowledgment_id`` (with the interchange's ``span`` in its X12, or
    None for all of it) and ``interchange_id`` says where the bytes are. Returns None when
    no partner is bound to ``receiver``. The caller commits.
    """
    if (acknowledgment_id is None) == (interchange_id is None):
        raise ValueError("give exactly one of acknowledgment_id and interchange_id")
    if partner_id is None and receiver is not None:
        partner_id = await partner_for(session, receiver)
    if partner_id is None:
        return None
    item = OutboxItem(
        partner_id=partner_id,
        kinds=kinds if isinstance(kinds, str) else ",".join(kinds),
        acknowledgment_id=acknowledgment_id,
        interchange_id=interchange_id,
        start_offset=span[0] if span else None,
        end_offset=span[1] if span else None,
        control_number=control_number[:9],
    )
    session.add(item)
    await session.flush()
    hook = (
        await session.execute(
            select(Webhook.id).where(Webhook.partner_id == partner_id, Webhook.active.is_(True))
        )
    ).scalar_one_or_none()
    if hook is not None:
        args = json.dumps({"item_id": item.id})
        await session.execute(_DEFER, {"queue": QUEUE, "task": DELIVERY_TASK, "args": args})
    log.info("outbox.placed", item=item.id, partner=partner_id, kinds=item.kinds)
    return item


def split_interchanges(data: bytes) -> list[tuple[int, int]]:
    """The byte spans of the interchanges in ``data`` (the gateway's own output: each
    starts with a fixed-width ISA that names its separators)."""
    spans: list[tuple[int, int]] = []
    start = data.find(b"ISA")
    while start >= 0 and start + 106 <= len(data):
        element = re.escape(data[start + 3 : start + 4])
        term = re.escape(data[start + 105 : start + 106])
        found = re.compile(term + rb"\s*IEA" + element).search(data, start + 105)
        if found is None:
            spans.append((start, len(data)))
            break
        end = data.find(data[start + 105 : start + 106], found.end())
        end = len(data) if end < 0 else end + 1
        while end < len(data) and data[end : end + 1] in b"\r\n":
            end += 1
        spans.append((start, end))
        start = data.find(b"ISA", end)
    return spans


def isa13(data: bytes) -> str:
    """The control number of the interchange ``data`` starts with."""
    fields = data[:106].split(data[3:4])
    return fields[13].decode("latin-1").strip() if len(fields) > 13 else ""


async def place_acknowledgments(
    session: AsyncSession, upload_id: int, x12: bytes, acks: Sequence[m.Acknowledgment]
) -> int:
    """Place the acknowledgments just stored for an upload (``acks``, in the order their
    interchanges appear in ``x12``): each to the sender of the interchange it answers.

    Acknowledgments of API posts are skipped: those callers got them (or their real-time
    answer) in the response. Returns how many items were placed.
    """
    if not acks:
        return 0
    source = (
        await session.execute(select(m.Upload.source).where(m.Upload.id == upload_id))
    ).scalar_one_or_none()
    if source is None or source in _NOT_PLACED:
        return 0
    await session.flush()
    senders = {
        row.id: (row.sender_qualifier, row.sender_id)
        for row in (
            await session.execute(
                select(
                    m.Interchange.id, m.Interchange.sender_qualifier, m.Interchange.sender_id
                ).where(m.Interchange.id.in_([a.interchange_id for a in acks]))
            )
        ).all()
    }
    spans: list[tuple[int, int] | None] = list(split_interchanges(x12))
    if len(spans) != len(acks):  # cannot pair them up: each item serves all of the X12
        spans = [None] * len(acks)
    placed = 0
    for ack, span in zip(acks, spans, strict=True):
        receiver = senders.get(ack.interchange_id)
        if receiver is None:
            continue
        part = x12[span[0] : span[1]] if span else x12
        item = await place(
            session,
            receiver=receiver,
            kinds=ack.kinds,
            control_number=isa13(part),
            acknowledgment_id=ack.id,
            span=span,
        )
        placed += item is not None
    return placed


async def place_stored_set(
    session: AsyncSession,
    set_id: int,
    *,
    kinds: str,
    receiver: tuple[str, str] | None = None,
    partner_id: int | None = None,
) -> OutboxItem | None:
    """Place the stored interchange holding transaction set ``set_id`` for ``receiver``
    (an ISA ID) or ``partner_id``."""
    row = (
        await session.execute(
            select(m.Interchange)
            .join(m.TransactionSet, m.TransactionSet.interchange_id == m.Interchange.id)
            .where(m.TransactionSet.id == set_id)
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    return await place(
        session,
        receiver=receiver,
        partner_id=partner_id,
        kinds=kinds,
        control_number=row.control_number,
        interchange_id=row.duplicate_of_id or row.id,
    )


async def item_x12(session: AsyncSession, item: OutboxItem) -> bytes:
    """The emitted interchange's bytes, read from where they are stored."""
    if item.acknowledgment_id is not None:
        ack = await session.get(m.Acknowledgment, item.acknowledgment_id)
        if ack is None:
            return b""
        if item.start_offset is None or item.end_offset is None:
            return ack.x12
        return ack.x12[item.start_offset : item.end_offset]
    ic = await session.get(m.Interchange, item.interchange_id)
    if ic is None:
        return b""
    upload = await session.get(m.Upload, ic.upload_id)
    return upload.raw[ic.start_offset : ic.end_offset] if upload is not None else b""


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The signature headers of a webhook POST of ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"sha256={digest}", TIMESTAMP_HEADER: stamp}


def verify(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    """Whether ``headers`` carry a valid signature of ``body`` (what a receiver checks)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not stamp.isdigit():
        return False
    expected = sign(secret, body, int(stamp))[SIGNATURE_HEADER]
    return hmac.compare_digest(given, expected)


def item_json(item: OutboxItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "partnerId": item.partner_id,
        "kinds": item.kinds.split(","),
        "controlNumber": item.control_number,
        "createdAt": item.created_at,
        "collectedAt": item.collected_at,
        "collectedBy": item.collected_by,
        "acknowledgmentId": item.acknowledgment_id,
        "interchangeId": item.interchange_id,
        "links": {"x12": f"/v1/outbox/{item.id}", "ack": f"/v1/outbox/{item.id}/ack"},
    }


def notification(item: OutboxItem) -> bytes:
    """The webhook body: what landed and where to collect it (no X12, no PHI)."""
    body = {
        "type": "outbox.item",
        "item": {
            "id": item.id,
            "kinds": item.kinds.split(","),
            "controlNumber": item.control_number,
            "createdAt": item.created_at.isoformat() if item.created_at else None,
            "links": {"x12": f"/v1/outbox/{item.id}", "ack": f"/v1/outbox/{item.id}/ack"},
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DeliveryFailed(Exception):
    """A webhook attempt that got no 2xx; the task queue tries again later."""


async def deliver(db: Database, item_id: int, settings: Settings) -> str:
    """One attempt to notify the item's partner; every attempt is recorded.

    Returns "delivered", "skipped" (no item, no active webhook, attempts used up) or
    "failed" (the stored secret cannot be decrypted: recorded, not retried);
    raises :class:`DeliveryFailed` when the attempt failed, so the queue retries it
    (exponential backoff, ``webhook_max_attempts`` in all).
    """
    limit = settings.webhook_max_attempts
    async with db.session() as s:
        item = await s.get(OutboxItem, item_id)
        hook = (
            None
            if item is None
            else (
                await s.execute(select(Webhook).where(Webhook.partner_id == item.partner_id))
            ).scalar_one_or_none()
        )
        if item is None or hook is None or not hook.active:
            return "skipped"
        done = (
            await s.execute(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.outbox_item_id == item_id)
            )
        ).scalar_one()
        if done >= limit:
            return "skipped"
        attempt = done + 1
        url, stored, body = hook.url, hook.secret, notification(item)
    try:
        secret = decrypt(settings, stored)
    except SecretUnreadable:
        # the key changed since the secret was set: no retry can help until an admin sets
        # the webhook again, so the attempt is recorded as failed and not retried
        log.warning("webhook.secret_unreadable", item=item_id, attempt=attempt)
        async with db.session() as s:
            stamp = now()
            s.add(
                WebhookDelivery(
                    outbox_item_id=item_id,
                    attempt=attempt,
                    url=url[:2000],
                    error=SECRET_UNREADABLE,
                    started_at=stamp,
                    finished_at=stamp,
                )
            )
            await s.commit()
        return "failed"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "x12gw-webhook",
        "X-X12GW-Delivery": f"{item_id}.{attempt}",
        **sign(secret, body),
    }
    started = now()
    status: int | None = None
    error: str | None = None
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as client:
            response = await client.post(url, content=body, headers=headers)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        error = type(exc).__name__
    finished = now()
    retry_at = None
    if error is not None and attempt < limit:
        retry_at = finished + dt.timedelta(seconds=settings.webhook_backoff_seconds**attempt)
    async with db.session() as s:
        s.add(
            WebhookDelivery(
                outbox_item_id=item_id,
                attempt=attempt,
                url=url[:2000],
                status_code=status,
                error=error,
                started_at=started,
                finished_at=finished,
                next_retry_at=retry_at,
            )
        )
        await s.commit()
    log.info("webhook.attempt", item=item_id, attempt=attempt, status=status, error=error)
    if error is not None:
        raise DeliveryFailed(f"outbox item #{item_id}, attempt {attempt}: {error}")
    return "delivered"
