"""Regenerating the X12 of a stored transaction set from its normalized records."""

from __future__ import annotations

from sqlalchemy import select

from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records
from transactions.emit import emit
from transactions.registry import Registry


class EmitError(LookupError):
    pass


async def emit_transaction(db: Database, set_id: int, registry: Registry) -> bytes:
    async with db.session() as s:
        row = await s.get(m.TransactionSet, set_id)
        if row is None:
            raise EmitError(f"no transaction set #{set_id}")
        ic = (
            await s.execute(select(m.Interchange).where(m.Interchange.id == row.interchange_id))
        ).scalar_one()
        plugin = registry.for_guide(row.kind) if row.kind else None
        if plugin is None:
            raise EmitError(f"no plugin writes {row.kind or row.st01} transaction sets")
        if row.status != m.Status.STORED:
            raise EmitError(
                f"transaction set #{set_id} has no normalized records (status {row.status})"
            )
        records = await load_records(s, set_id)
    number = ic.control_number  # as received: "²" is a digit to isdigit(), not to int()
    control = int(number) if number.isascii() and number.isdigit() and len(number) <= 9 else 1
    return emit(
        plugin,
        records,
        guide=row.kind or "",
        sender=(ic.sender_qualifier, ic.sender_id),
        receiver=(ic.receiver_qualifier, ic.receiver_id),
        control=control or 1,
        st02=row.control_number,
        usage=ic.usage if ic.usage in ("P", "T") else "P",
    )
