"""The audit trail over HTTP: the ``Audit`` dependency endpoints use to record reads and
changes, and ``GET /v1/audit`` for administrators.

An endpoint that returns patient-level data takes ``audit: AuditDep`` and, once it knows
what it returns, calls ``await audit.read("claim", ids)``. The actor, API key, route
template and request ID come from the request, so each endpoint adds one or two lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import audit
from gateway.api.auth import Principal
from gateway.api.deps import MAX_ID, AdminDep, SessionDep, get_db, get_principal
from gateway.store import models as m
from gateway.store.audit import AuditEvent
from gateway.store.db import Database
from schemas.audit import AUDIT_PAGE_EXAMPLE, AuditEventView, AuditPage

router = APIRouter(prefix="/v1", tags=["audit"])


def _key_prefix(token: str) -> str | None:
    """The lookup prefix of a stored key (``x12gw_<prefix>_<secret>``)."""
    parts = token.split("_", 2)
    if len(parts) == 3 and parts[0] == "x12gw":
        return parts[1]
    return None  # the configured admin key has no row


@dataclass(slots=True)
class Audit:
    """Records events for the caller of the current request."""

    db: Database
    actor: str
    endpoint: str | None
    key_prefix: str | None

    async def _key_id(self, session: AsyncSession) -> int | None:
        if self.key_prefix is None:
            return None
        found: int | None = (
            await session.execute(select(m.ApiKey.id).where(m.ApiKey.prefix == self.key_prefix))
        ).scalar_one_or_none()
        return found

    async def add(
        self, session: AsyncSession, action: str, entity: str, ids: Iterable[int | str]
    ) -> None:
        """Add a change event to ``session``: it commits, or not, with the change itself."""
        await audit.record(
            session,
            actor=self.actor,
            action=action,
            entity=entity,
            ids=list(dict.fromkeys(ids)),
            endpoint=self.endpoint,
            api_key_id=await self._key_id(session),
        )

    async def now(self, action: str, entity: str, ids: Iterable[int | str]) -> None:
        """Record an event in a transaction of its own, committed before this returns: for
        work another session already committed (or a read). An error here fails the request
        rather than let it go unaudited."""
        async with self.db.session() as session:
            await self.add(session, action, entity, ids)
            await session.commit()

    async def read(self, entity: str, ids: Iterable[int | str | None]) -> None:
        """The caller is being shown these patient-level records (``None``s, IDs of what was
        not stored, are skipped). Nothing shown, nothing recorded."""
        wanted = [i for i in dict.fromkeys(ids) if i is not None]
        if wanted:
            await self.now("read", entity, wanted)


def auditor(
    request: Request, principal: Principal, db: Database, token: str | None = None
) -> Audit:
    """The ``Audit`` of ``principal``, who authenticated with ``token`` (by default the
    bearer token of the request). For endpoints that authenticate by themselves (CORE)."""
    if token is None:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        token = bearer if scheme.lower() == "bearer" else ""
    # the route template, never the path or query: they may carry identifiers
    route = getattr(request.scope.get("route"), "path", None)
    return Audit(
        db=db,
        actor=principal.partner or principal.role,
        endpoint=f"{request.method} {route}" if route else None,
        key_prefix=_key_prefix(token),
    )


def get_audit(
    request: Request,
    principal: Annotated[Principal, Depends(get_principal)],
    db: Annotated[Database, Depends(get_db)],
) -> Audit:
    return auditor(request, principal, db)


AuditDep = Annotated[Audit, Depends(get_audit)]


def _view(row: AuditEvent) -> AuditEventView:
    return AuditEventView(
        id=row.id,
        at=row.at,
        actor=row.actor,
        apiKeyId=row.api_key_id,
        action=row.action,
        entity=row.entity,
        recordIds=list(row.record_ids),
        endpoint=row.endpoint,
        requestId=row.request_id,
    )


@router.get(
    "/audit",
    summary="The audit trail: who read or changed which records (admin only, newest first)",
    response_model=AuditPage,
    responses={
        200: {"content": {"application/json": {"example": AUDIT_PAGE_EXAMPLE}}},
        403: {"description": "Not an administrator (problem document)"},
    },
)
async def list_audit(
    session: SessionDep,
    admin: AdminDep,
    actor: str | None = Query(default=None, description="a partner's name, admin, worker ..."),
    action: str | None = Query(default=None, description="read, create, update, replay ..."),
    entity: str | None = Query(default=None, description="transaction_set, claim, partner ..."),
    record_id: str | None = Query(
        default=None, alias="recordId", max_length=80, description="events naming this ID"
    ),
    since: dt.datetime | None = Query(default=None, alias="from", description="at or after"),
    until: dt.datetime | None = Query(default=None, alias="to", description="before"),
    cursor: int | None = Query(
        default=None, ge=1, le=MAX_ID, description="the nextCursor of the previous page"
    ),
    limit: int = Query(default=100, ge=1, le=1000),
) -> AuditPage:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action == action)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if record_id:
        wanted: list[Any] = [[record_id]]
        if record_id.isdigit():
            wanted.append([int(record_id)])  # IDs are stored as numbers when they are numbers
        query = query.where(or_(*(AuditEvent.record_ids.contains(w) for w in wanted)))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    if cursor:
        query = query.where(AuditEvent.id < cursor)
    rows = (await session.execute(query)).scalars().all()
    page = rows[:limit]
    return AuditPage(
        items=[_view(r) for r in page], nextCursor=page[-1].id if len(rows) > limit else None
    )
