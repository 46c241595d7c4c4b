"""Append-only audit trail (issue 5): who read or changed which records, and when.

A row names the actor, the action, the kind of entity and the record IDs: never values, so
the trail itself holds no PHI. The database refuses UPDATE, DELETE and TRUNCATE on the
table (triggers created by migration 0011), so the trail cannot be rewritten by the app.

``api_key_id`` has no foreign key on purpose: the trail outlives the keys and partners it
names, and a cascade from ``api_key`` would have to rewrite audit rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.models import Base

__all__ = ["AuditEvent", "Base"]


class AuditEvent(Base):
    """One audited event. ``record_ids`` is a JSON array of integers or strings."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_actor_at", "actor", "at"),
        Index("ix_audit_event_record_ids", "record_ids", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    actor: Mapped[str] = mapped_column(String(120))
    api_key_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(48))
    record_ids: Mapped[list[Any]] = mapped_column(JSONB, server_default="[]")
    endpoint: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
