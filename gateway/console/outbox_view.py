"""The outbox page: what the gateway emitted for partners, and how webhook calls went.

Reads the outbox tables directly; webhook secrets are never selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store import models as m
from gateway.store.outbox import OutboxItem, Webhook, WebhookDelivery


@dataclass(slots=True)
class OutboxPage:
    items: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    webhooks: list[dict[str, Any]]
    waiting: dict[str, int]  # partner -> items not collected yet


async def load(session: AsyncSession, partner: str = "", limit: int = 100) -> OutboxPage:
    items_q = (
        select(OutboxItem, m.Partner.name)
        .join(m.Partner, m.Partner.id == OutboxItem.partner_id)
        .order_by(OutboxItem.id.desc())
        .limit(limit)
    )
    deliveries_q = (
        select(WebhookDelivery, m.Partner.name, OutboxItem.kinds)
        .join(OutboxItem, OutboxItem.id == WebhookDelivery.outbox_item_id)
        .join(m.Partner, m.Partner.id == OutboxItem.partner_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    if partner:
        items_q = items_q.where(m.Partner.name == partner)
        deliveries_q = deliveries_q.where(m.Partner.name == partner)
    items = [
        {
            "id": it.id,
            "partner": name,
            "kinds": it.kinds,
            "control_number": it.control_number,
            "acknowledgment_id": it.acknowledgment_id,
            "interchange_id": it.interchange_id,
            "created_at": it.created_at,
            "collected_at": it.collected_at,
            "collected_by": it.collected_by,
        }
        for it, name in (await session.execute(items_q)).all()
    ]
    deliveries = [
        {
            "id": d.id,
            "item": d.outbox_item_id,
            "partner": name,
            "kinds": kinds,
            "attempt": d.attempt,
            "url": d.url,
            "status_code": d.status_code,
            "error": d.error,
            "started_at": d.started_at,
            "ms": _ms(d.started_at, d.finished_at),
            "next_retry_at": d.next_retry_at,
        }
        for d, name, kinds in (await session.execute(deliveries_q)).all()
    ]
    webhooks = [
        {"partner": name, "url": url, "active": active, "updated_at": updated}
        for name, url, active, updated in (
            await session.execute(
                select(m.Partner.name, Webhook.url, Webhook.active, Webhook.updated_at)
                .join(m.Partner, m.Partner.id == Webhook.partner_id)
                .order_by(m.Partner.name)
            )
        ).all()
    ]
    waiting = {
        name: int(n)
        for name, n in (
            await session.execute(
                select(m.Partner.name, func.count())
                .join(OutboxItem, OutboxItem.partner_id == m.Partner.id)
                .where(OutboxItem.collected_at.is_(None))
                .group_by(m.Partner.name)
                .order_by(m.Partner.name)
            )
        ).all()
    }
    return OutboxPage(items, deliveries, webhooks, waiting)


def _ms(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() * 1000)
