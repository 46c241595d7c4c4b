"""Append-only audit trail (issue 5): filled in by the audit work."""

from __future__ import annotations

from gateway.store.models import Base

__all__ = ["Base"]
