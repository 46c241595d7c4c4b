"""Audit trail API models (admin only): who read or changed which records, and when.

An event carries record IDs and a route template, never values: the trail holds no PHI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["AUDIT_PAGE_EXAMPLE", "AuditEventView", "AuditPage"]

_EVENT_EXAMPLE: dict[str, Any] = {
    "id": 41,
    "at": "2026-12-06T10:15:02.114+00:00",
    "actor": "maple-billing",
    "apiKeyId": 3,
    "action": "read",
    "entity": "transaction_set",
    "recordIds": [1187],
    "endpoint": "GET /v1/transactions/{transaction_set_id}",
    "requestId": "6f1c2b9e8d7a4c3b9a0e1f2d3c4b5a69",
}
AUDIT_PAGE_EXAMPLE: dict[str, Any] = {"items": [_EVENT_EXAMPLE], "nextCursor": 41}


class AuditEventView(BaseModel):
    """One event: ``actor`` (a partner's name, ``admin``, ``worker``) did ``action``
    (``read``, ``create``, ``update``, ``replay``, ``correct``) on ``entity`` rows
    ``recordIds``, through ``endpoint`` (method and route template) with key ``apiKeyId``."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EVENT_EXAMPLE]})

    id: int
    at: dt.datetime
    actor: str
    apiKeyId: int | None = None
    action: str
    entity: str
    recordIds: list[int | str]
    endpoint: str | None = None
    requestId: str | None = None


class AuditPage(BaseModel):
    """Newest first; pass ``nextCursor`` as ``cursor`` for the next page."""

    model_config = ConfigDict(json_schema_extra={"examples": [AUDIT_PAGE_EXAMPLE]})

    items: list[AuditEventView]
    nextCursor: int | None = None
