"""Partner outbox and webhook deliveries (issue 5).

    partner ──< outbox_item ──< webhook_delivery
       └── webhook (at most one per partner)

An outbox item is one interchange the gateway emitted for a partner (acknowledgments,
responses to batch requests, 835s, 277s). It does not copy the bytes: it points at
the acknowledgment row (and the byte range of its interchange within that row's X12)
or at the stored interchange that holds them, so the outbox never disagrees with the
store. ``collected_at`` is set when the partner acknowledges it has collected the item.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.models import Base

__all__ = ["Base", "OutboxItem", "Webhook", "WebhookDelivery"]


class OutboxItem(Base):
    """One emitted interchange waiting for (or collected by) its partner."""

    __tablename__ = "outbox_item"
    __table_args__ = (
        CheckConstraint(
            "(acknowledgment_id IS NULL) <> (interchange_id IS NULL)", name="one_source"
        ),
        # the partner's "new" list, in cursor order
        Index(
            "ix_outbox_item_partner_new",
            "partner_id",
            "id",
            postgresql_where=text("collected_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    #: what the interchange carries: "TA1", "999,277CA", "271", "277", "278", "835" ...
    kinds: Mapped[str] = mapped_column(String(32))
    acknowledgment_id: Mapped[int | None] = mapped_column(
        ForeignKey("acknowledgment.id", ondelete="CASCADE"), index=True
    )
    interchange_id: Mapped[int | None] = mapped_column(
        ForeignKey("interchange.id", ondelete="CASCADE"), index=True
    )
    #: the interchange's byte range within the acknowledgment's X12 (None: all of it)
    start_offset: Mapped[int | None] = mapped_column(BigInteger)
    end_offset: Mapped[int | None] = mapped_column(BigInteger)
    #: ISA13 of the emitted interchange
    control_number: Mapped[str] = mapped_column(String(9))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    collected_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    collected_by: Mapped[str | None] = mapped_column(String(120))


class Webhook(Base):
    """Where a partner wants to be told that something landed in its outbox."""

    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), unique=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    #: the HMAC key, Fernet-encrypted (``gateway.secretbox``): signing needs to read it
    #: back, so it cannot be hashed. Up to 200 characters (800 UTF-8 bytes) encrypt to
    #: at most 1,164; rows from before encryption hold the secret in clear until next set.
    secret: Mapped[str] = mapped_column(String(1200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class WebhookDelivery(Base):
    """One attempt to POST an outbox notification to a partner's webhook."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    outbox_item_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_item.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2000))
    status_code: Mapped[int | None] = mapped_column(Integer)
    #: why it failed: "HTTP 500", "ConnectTimeout" ... (never the response body)
    error: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: when the next attempt is due; None once delivered or given up
    next_retry_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
