"""The partner outbox over HTTP: list what is new, fetch its X12, acknowledge collection;
and (admins) set a partner's webhook and see each item's delivery attempts.

A partner sees only its own items: another partner's item is "not found", exactly as
one that does not exist, so item IDs reveal nothing.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlalchemy import func, select

from gateway.api.audit import AuditDep
from gateway.api.deps import MAX_ID, AdminDep, PrincipalDep, SessionDep, SettingsDep
from gateway.api.idempotency import IdempotentRoute
from gateway.api.problems import Problem
from gateway.outbox import SIGNATURE_HEADER, TIMESTAMP_HEADER, item_json, item_x12, now
from gateway.secretbox import encrypt
from gateway.store import models as m
from gateway.store.outbox import OutboxItem, Webhook, WebhookDelivery
from schemas.outbox import (
    DeliveryList,
    DeliveryView,
    OutboxItemView,
    OutboxPage,
    WebhookSet,
    WebhookView,
)

router = APIRouter(prefix="/v1", tags=["outbox"], route_class=IdempotentRoute)

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such item in the caller's outbox (problem document)"}
}
_FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an administrator (problem document)"}
}
_X12_EXAMPLE = (
    "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SUBMITTER      *260102*1020*^*00501*"
    "000000017*0*T*:~GS*FA*RECEIVER*SUBMITTER*20260102*1020*18*X*005010X231A1~ST*999*0001*"
    "005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~"
    "SE*6*0001~GE*1*18~IEA*1*000000017~"
)
_SIGNED = f"{SIGNATURE_HEADER}: sha256=HMAC-SHA256(secret, {TIMESTAMP_HEADER} + '.' + body)"
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="The outbox item's ID", examples=[42])]


async def _item(session: SessionDep, principal: PrincipalDep, item_id: int) -> OutboxItem:
    item = await session.get(OutboxItem, item_id)
    if item is None or (not principal.is_admin and item.partner_id != principal.partner_id):
        raise Problem(404, "not-found", "Not found", f"No outbox item #{item_id}")
    return item


@router.get(
    "/outbox",
    summary="The caller's outbox: what the gateway emitted for it since a cursor",
    description="Items in the order they were placed. `status=new` (the default) lists "
    "only those not yet acknowledged as collected; pass the answer's `nextCursor` as "
    "`cursor` to get only what arrived since. Admins see every partner's, or one "
    "partner's with `partner`.",
    responses={403: {"description": "A partner asked for another partner's outbox"}},
)
async def list_outbox(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: int | None = Query(
        default=None,
        ge=0,
        le=MAX_ID,
        description="the nextCursor of the previous answer",
        examples=[41],
    ),
    limit: int = Query(default=50, ge=1, le=500),
    status: str = Query(
        default="new", pattern="^(new|collected|all)$", description="new, collected or all"
    ),
    kind: str | None = Query(
        default=None, max_length=8, description="only items carrying this kind, e.g. 999 or 835"
    ),
    partner: int | None = Query(
        default=None, ge=1, le=MAX_ID, description="a partner's ID (admins only)"
    ),
) -> OutboxPage:
    query = select(OutboxItem).order_by(OutboxItem.id).limit(limit + 1)
    if principal.is_admin:
        if partner is not None:
            query = query.where(OutboxItem.partner_id == partner)
    elif partner is not None and partner != principal.partner_id:
        raise Problem(403, "forbidden", "Not allowed", "A partner reads its own outbox only")
    else:
        query = query.where(OutboxItem.partner_id == principal.partner_id)
    if status == "new":
        query = query.where(OutboxItem.collected_at.is_(None))
    elif status == "collected":
        query = query.where(OutboxItem.collected_at.is_not(None))
    if kind:
        query = query.where(
            func.array_position(func.string_to_array(OutboxItem.kinds, ","), kind).is_not(None)
        )
    if cursor is not None:
        query = query.where(OutboxItem.id > cursor)
    rows = (await session.execute(query)).scalars().all()
    page = rows[:limit]
    return OutboxPage(
        items=[OutboxItemView.model_validate(item_json(r)) for r in page],
        nextCursor=page[-1].id if page else cursor,
        hasMore=len(rows) > limit,
    )


@router.get(
    "/outbox/{item_id}",
    summary="An outbox item's X12 (the emitted interchange, byte for byte)",
    response_class=Response,
    responses={
        200: {
            "content": {"application/edi-x12": {"example": _X12_EXAMPLE}},
            "description": "The interchange",
        },
        **_NOT_FOUND,
    },
)
async def get_outbox_item(
    item_id: ItemId, session: SessionDep, principal: PrincipalDep, audit: AuditDep
) -> Response:
    item = await _item(session, principal, item_id)
    x12 = await item_x12(session, item)
    await audit.read("outbox_item", [item.id])  # acknowledgments and answers name patients
    return Response(
        x12,
        media_type="application/edi-x12",
        headers={"X-X12GW-Kinds": item.kinds, "X-X12GW-Control-Number": item.control_number},
    )


@router.post(
    "/outbox/{item_id}/ack",
    summary="Acknowledge an outbox item as collected (it leaves the new list)",
    description="Safe to repeat: the first collection's time and collector are kept.",
    responses=_NOT_FOUND,
)
async def ack_outbox_item(
    item_id: ItemId, session: SessionDep, principal: PrincipalDep
) -> OutboxItemView:
    item = await _item(session, principal, item_id)
    if item.collected_at is None:
        item.collected_at = now()
        item.collected_by = (principal.partner or principal.role)[:120]
        await session.commit()
    return OutboxItemView.model_validate(item_json(item))


@router.get(
    "/outbox/{item_id}/deliveries",
    summary="The webhook delivery attempts of an outbox item (admins)",
    responses={**_FORBIDDEN, **_NOT_FOUND},
)
async def list_deliveries(item_id: ItemId, session: SessionDep, admin: AdminDep) -> DeliveryList:
    item = await _item(session, admin, item_id)
    rows = (
        (
            await session.execute(
                select(WebhookDelivery)
                .where(WebhookDelivery.outbox_item_id == item.id)
                .order_by(WebhookDelivery.attempt, WebhookDelivery.id)
            )
        )
        .scalars()
        .all()
    )
    return DeliveryList(
        outboxItemId=item.id,
        items=[
            DeliveryView(
                attempt=r.attempt,
                url=r.url,
                statusCode=r.status_code,
                error=r.error,
                startedAt=r.started_at,
                finishedAt=r.finished_at,
                nextRetryAt=r.next_retry_at,
            )
            for r in rows
        ],
    )


@router.put(
    "/partners/{partner_id}/webhook",
    summary="Set a partner's webhook: an HMAC-signed POST whenever its outbox gets an item",
    description=f"Each POST carries `{SIGNATURE_HEADER}: sha256=<hex>`, the HMAC-SHA256 with "
    f"the secret of `<{TIMESTAMP_HEADER}>.<body>`; failed deliveries are retried with "
    "exponential backoff. The secret is shown in this answer only.",
    responses={**_FORBIDDEN, 404: {"description": "No such partner"}},
)
async def put_webhook(
    partner_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The partner's ID", examples=[3])],
    body: WebhookSet,
    session: SessionDep,
    settings: SettingsDep,
    admin: AdminDep,
) -> WebhookView:
    if await session.get(m.Partner, partner_id) is None:
        raise Problem(404, "not-found", "Not found", f"No partner #{partner_id}")
    secret = body.secret or f"whsec_{secrets.token_urlsafe(32)}"
    stored = encrypt(settings, secret)  # encrypted at rest; shown in clear only here
    hook = (
        await session.execute(select(Webhook).where(Webhook.partner_id == partner_id))
    ).scalar_one_or_none()
    if hook is None:
        hook = Webhook(partner_id=partner_id, url=body.url, secret=stored, active=body.active)
        session.add(hook)
    else:
        hook.url, hook.secret, hook.active, hook.updated_at = body.url, stored, body.active, now()
    await session.commit()
    return WebhookView(
        partnerId=partner_id,
        url=hook.url,
        active=hook.active,
        secret=secret,
        signature=_SIGNED,
    )
