"""Normalized records in and out of the ``record`` table; COPY for large batches."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select
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


_TEXT_INDEX = tuple(_LIMITS.items())
_CENT = Decimal("0.01")
_NO_INDEX = (None,) * (len(_LIMITS) + 2)


def _amount(amount: Any) -> Decimal | None:
    try:
        return Decimal(str(amount)).quantize(_CENT) if amount not in (None, "") else None
    except InvalidOperation:
        return None


def _service_date(when: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(when)) if when else None
    except ValueError:
        return None


def _index_values(index: dict[str, Any]) -> tuple[Any, ...]:
    """The typed index columns, in ``_COLUMNS`` order (member_id .. code)."""
    if not index:
        return _NO_INDEX
    text = [
        str(value)[:limit] if (value := index.get(name)) not in (None, "") else None
        for name, limit in _TEXT_INDEX
    ]
    # member_id .. trace_number, amount, service_date, code
    return (
        *text[:6],
        _amount(index.get("amount")),
        _service_date(index.get("service_date")),
        text[6],
    )


@dataclass(slots=True)
class PreparedRows:
    """What the ``record`` rows of a set need besides their IDs, worked out before the
    database is involved (in the ingest's reader thread): the columns that depend on the
    record alone, and ``fields`` as JSON text."""

    #: (entity, key, parent key, ordinal, member_id .. code) per record
    columns: list[tuple[Any, ...]]
    fields: list[str]


def prepare_rows(records: list[Record]) -> PreparedRows:
    columns = [
        (r.entity[:32], r.key[:200], r.parent, r.ordinal, *_index_values(r.index)) for r in records
    ]
    dumps = json.dumps
    return PreparedRows(columns, [dumps(r.fields) for r in records])


def _copy_rows(
    records: list[Record],
    prepared: PreparedRows,
    ids: list[int],
    transaction_set_id: int,
    interchange_id: int,
) -> Iterator[tuple[Any, ...]]:
    """The ``record`` rows for COPY, in ``_COLUMNS`` order, made as they are consumed (the
    COPY encodes and sends them while the server inserts the ones before)."""
    by_key = {r.key: rid for r, rid in zip(records, ids, strict=True)}
    for rid, (entity, key, parent, ordinal, *index), text in zip(
        ids, prepared.columns, prepared.fields, strict=True
    ):
        yield (
            rid,
            transaction_set_id,
            interchange_id,
            entity,
            key,
            by_key.get(parent) if parent else None,
            ordinal,
            *index,
            text,
        )


def _insert_rows(
    records: list[Record], ids: list[int], transaction_set_id: int, interchange_id: int
) -> list[dict[str, Any]]:
    by_key = {r.key: rid for r, rid in zip(records, ids, strict=True)}
    return [
        dict(
            zip(
                _COLUMNS,
                (
                    rid,
                    transaction_set_id,
                    interchange_id,
                    r.entity[:32],
                    r.key[:200],
                    by_key.get(r.parent) if r.parent else None,
                    r.ordinal,
                    *_index_values(r.index),
                    r.fields,
                ),
                strict=True,
            )
        )
        for r, rid in zip(records, ids, strict=True)
    ]


async def _new_ids(driver: Any, count: int) -> list[int]:
    """``count`` record IDs from the sequence, ascending (the order records are read in)."""
    ids: list[int] = await driver.fetchval(
        "SELECT array_agg(id ORDER BY id) FROM "
        "(SELECT nextval('record_id_seq') AS id FROM generate_series(1, $1::int)) AS s",
        count,
    )
    return ids


async def store_records(
    session: AsyncSession,
    transaction_set_id: int,
    interchange_id: int,
    records: list[Record],
    prepared: PreparedRows | None = None,
) -> int:
    """Insert ``records`` (parents before children) in the session's transaction.

    One round trip allocates the IDs (children point to their parent's), then the rows go
    in with one COPY (from ``COPY_THRESHOLD`` records on) or one multi-row INSERT.
    ``prepared`` is :func:`prepare_rows` of ``records``, when the caller made it already."""
    if not records:
        return 0
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    if len(records) >= COPY_THRESHOLD:
        rows = prepared if prepared is not None else prepare_rows(records)
        ids = await _new_ids(driver, len(records))
        await driver.copy_records_to_table(
            "record",
            records=_copy_rows(records, rows, ids, transaction_set_id, interchange_id),
            columns=list(_COLUMNS),
        )
    else:
        ids = await _new_ids(driver, len(records))
        values = _insert_rows(records, ids, transaction_set_id, interchange_id)
        await session.execute(insert(RecordRow), values)
    return len(records)


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
