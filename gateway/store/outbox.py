"""Partner outbox and webhook deliveries (issue 5): filled in by the outbox work."""

from __future__ import annotations

from gateway.store.models import Base

__all__ = ["Base"]
