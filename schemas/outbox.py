"""Outbox and webhook API models: what the gateway emitted for a partner, and how it is told.

An outbox item is one interchange (TA1/999/277CA acknowledgments, a 271/277/278 answering
a batch request, an 835 or 277 from the payer); ``kinds`` says what it carries, its X12
is at ``links.x12`` and ``POST links.ack`` marks it collected.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

__all__ = [
    "DeliveryList",
    "DeliveryView",
    "OutboxItemView",
    "OutboxPage",
    "WebhookSet",
    "WebhookView",
]

_ITEM: JsonDict = {
    "id": 42,
    "partnerId": 3,
    "kinds": ["999", "277CA"],
    "controlNumber": "000000017",
    "createdAt": "2026-01-02T10:20:34Z",
    "collectedAt": None,
    "collectedBy": None,
    "acknowledgmentId": 19,
    "interchangeId": None,
    "links": {"x12": "/v1/outbox/42", "ack": "/v1/outbox/42/ack"},
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutboxLinks(_Model):
    x12: str
    ack: str


class OutboxItemView(_Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": _ITEM})

    id: int
    partnerId: int
    #: "TA1", "999", "277CA" (acknowledgments, possibly several in one interchange),
    #: "271", "277", "278" (answers to batch requests), "835", "277" (the payer's)
    kinds: list[str]
    #: ISA13 of the emitted interchange
    controlNumber: str
    createdAt: dt.datetime
    collectedAt: dt.datetime | None = None
    collectedBy: str | None = None
    acknowledgmentId: int | None = None
    interchangeId: int | None = None
    links: OutboxLinks


class OutboxPage(_Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"items": [_ITEM], "nextCursor": 42, "hasMore": False}},
    )

    items: list[OutboxItemView]
    #: pass it as ``cursor`` next time to get only what arrived since (unchanged if none)
    nextCursor: int | None
    hasMore: bool


class WebhookSet(_Model):
    """Where to POST when something lands in the partner's outbox."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"url": "https://partner.example/x12gw/outbox", "active": True}
        },
    )

    url: Annotated[str, Field(max_length=2000, pattern=r"^https?://[^\s]+$")]
    #: the HMAC key; omit it to have one generated (shown once, in the answer)
    secret: Annotated[str | None, Field(min_length=16, max_length=200)] = None
    active: bool = True


class WebhookView(_Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "partnerId": 3,
                "url": "https://partner.example/x12gw/outbox",
                "active": True,
                "secret": "whsec_1bD0cS...",
                "signature": "X-X12GW-Signature: sha256=HMAC-SHA256(secret, "
                "X-X12GW-Timestamp + '.' + body)",
            }
        },
    )

    partnerId: int
    url: str
    active: bool
    #: shown only in the answer to the PUT that set it
    secret: str
    #: how deliveries are signed
    signature: str


class DeliveryView(_Model):
    attempt: int
    url: str
    statusCode: int | None = None
    error: str | None = None
    startedAt: dt.datetime
    finishedAt: dt.datetime
    nextRetryAt: dt.datetime | None = None


class DeliveryList(_Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "outboxItemId": 42,
                "items": [
                    {
                        "attempt": 1,
                        "url": "https://partner.example/x12gw/outbox",
                        "statusCode": 500,
                        "error": "HTTP 500",
                        "startedAt": "2026-01-02T10:20:35Z",
                        "finishedAt": "2026-01-02T10:20:35Z",
                        "nextRetryAt": "2026-01-02T10:20:38Z",
                    },
                    {
                        "attempt": 2,
                        "url": "https://partner.example/x12gw/outbox",
                        "statusCode": 200,
                        "error": None,
                        "startedAt": "2026-01-02T10:20:38Z",
                        "finishedAt": "2026-01-02T10:20:38Z",
                        "nextRetryAt": None,
                    },
                ],
            }
        },
    )

    outboxItemId: int
    items: list[DeliveryView]
