"""The audit trail's one entry point (issue 5): who read or changed what.

Callers add an event to their own session, so it commits (or rolls back) with the work
it describes. API endpoints use ``gateway.api.audit.AuditDep`` (``audit.read(...)``,
``audit.add(...)``), which fills in the actor, API key, route and request ID for them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.audit import AuditEvent

#: a request ID worth keeping: the app's own uuid hex, or a client's token of the same sort
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity: str,
    ids: Sequence[int | str] = (),
    endpoint: str | None = None,
    api_key_id: int | None = None,
    request_id: str | None = None,
) -> None:
    """Append one audit event: ``actor`` (key holder: "admin", a partner name, "console:admin",
    "worker") did ``action`` ("read", "replay", "correct", "create", ...) on ``entity``
    ("interchange", "transaction_set", "claim", "remittance", "partner", ...) rows ``ids``.
    No PHI: only record IDs. ``endpoint`` is a route template ("GET /v1/claims/{claim_id}"),
    never a path or query string, which may carry identifiers. The event is only added to
    ``session``: it commits, or rolls back, with the work it describes."""
    if request_id is None:  # the HTTP middleware binds one for the request being served
        request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id is not None and not _REQUEST_ID.fullmatch(request_id):
        request_id = None  # a client-chosen header: keep it only if it looks like an ID
    session.add(
        AuditEvent(
            actor=actor[:120],
            api_key_id=api_key_id,
            action=action[:32],
            entity=entity[:48],
            record_ids=[i if isinstance(i, int) else str(i) for i in ids],
            endpoint=endpoint[:200] if endpoint else None,
            request_id=request_id,
        )
    )
