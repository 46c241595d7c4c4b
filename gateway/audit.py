"""The audit trail's one entry point (issue 5): who read or changed what.

Callers add an event to their own session, so it commits (or rolls back) with the work
it describes. Filled in by the audit work; the signature is fixed so other modules may
call it now.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity: str,
    ids: Sequence[int | str] = (),
    endpoint: str | None = None,
) -> None:
    """Append one audit event: ``actor`` (key holder: "admin", a partner name, "console:admin",
    "worker") did ``action`` ("read", "replay", "correct", "create", ...) on ``entity``
    ("interchange", "transaction_set", "claim", "remittance", "partner", ...) rows ``ids``.
    No PHI: only record IDs."""
    return None
