"""Normalized records in and out of the ``record`` table; COPY for large batches."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.models import RecordRow
from transactions.records import Record, money

#: From this many records on, rows go in with PostgreSQL COPY rather than INSERT.
COPY_THRESHOLD = 200

_COLUMNS = (
    "id",
    "transaction_set_id",
    "interchange_id",
    "entity",
    "key",
    "parent_id",
    "ordinal",
    "member_id",
    "patient_control_number",
    "payer_claim_control_number",
    "npi",
    "tin",
    "trace_number",
    "amount",
    "service_date",
    "code",
    "fields",
)
_LIMITS = {
    "member_id": 80,
    "patient_control_number": 50,
    "payer_claim_control_number": 50,
    "npi": 10,
    "tin": 20,
    "trace_number": 80,
    "code": 48,
}


def _index_values(record: Record) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, limit in _LIMITS.items():
        value = record.index.get(name)
        out[name] = str(value)[:limit] if value not in (None, "") else None
    amount = record.index.get("amount")
    try:
        out["amount"] = (
            Decimal(str(amount)).quantize(Decimal("0.01")) if amount not in (None, "") else None
        )
    except InvalidOperation:
        out["amount"] = None
    when = record.index.get("service_date")
    try:
        out["service_date"] = dt.date.fromisoformat(str(when)) if when else None
    except ValueError:
        out["service_date"] = None
    return out


async def store_records(
    session: AsyncSession, transaction_set_id: int, interchange_id: int, records: list[Record]
) -> int:
    """Insert ``records`` (parents before children) in the session's transaction."""
    if not records:
        return 0
    ids = (
        (
            await session.execute(
                text("SELECT nextval('record_id_seq') FROM generate_series(1, :n)"),
                {"n": len(records)},
            )
        )
        .scalars()
        .all()
    )
    by_key = {r.key: rid for r, rid in zip(records, ids, strict=True)}
    rows = []
    for record, rid in zip(records, ids, strict=True):
        parent = by_key.get(record.parent) if record.parent else None
        rows.append(
            {
                "id": rid,
                "transaction_set_id": transaction_set_id,
                "interchange_id": interchange_id,
                "entity": record.entity[:32],
                "key": record.key[:200],
                "parent_id": parent,
                "ordinal": record.ordinal,
                **_index_values(record),
                "fields": record.fields,
            }
        )
    if len(rows) >= COPY_THRESHOLD:
        conn = await session.connection()
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(
            "record",
            records=[
                tuple(json.dumps(r["fields"]) if c == "fields" else r[c] for c in _COLUMNS)
                for r in rows
            ],
            columns=list(_COLUMNS),
        )
    else:
        await session.execute(insert(RecordRow), rows)
    return len(rows)


async def load_records(session: AsyncSession, transaction_set_id: int) -> list[Record]:
    rows = (
        (
            await session.execute(
                select(RecordRow)
                .where(RecordRow.transaction_set_id == transaction_set_id)
                .order_by(RecordRow.id)
            )
        )
        .scalars()
        .all()
    )
    keys = {row.id: row.key for row in rows}
    out = []
    for row in rows:
        index: dict[str, Any] = {}
        for name in _LIMITS:
            value = getattr(row, name)
            if value is not None:
                index[name] = value
        if row.amount is not None:
            index["amount"] = money(row.amount)
        if row.service_date is not None:
            index["service_date"] = row.service_date.isoformat()
        out.append(
            Record(
                entity=row.entity,
                key=row.key,
                parent=keys.get(row.parent_id) if row.parent_id else None,
                ordinal=row.ordinal,
                fields=row.fields,
                index=index,
            )
        )
    return out
