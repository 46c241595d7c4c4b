"""The ingest's reader thread normalizes transaction sets ahead of the database writes.

What must hold whatever the timing: every record of every set stored exactly once,
in read order, with its parent; a plugin failure fails its set only; the reader
reads at most ``READ_AHEAD`` sets ahead (memory), skips the sets of a duplicate, and
stops when the ingest fails midway.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

import gateway.ingest as ingest_module
from gateway.ingest import READ_AHEAD, ingest
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import COPY_THRESHOLD
from parsers.envelope import TransactionSet
from tests.db import fresh_database
from tests.x12 import claim, group, interchange, professional, transaction
from transactions.records import Record
from transactions.registry import Registry

SETS = 6


@pytest.fixture(scope="module")
def database_url(worker_id: str) -> str:
    return fresh_database(f"{worker_id}_pipeline")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    async def truncate() -> None:
        database = Database(database_url)
        async with database.session() as s:
            await s.execute(
                text(
                    "TRUNCATE upload, interchange, functional_group, transaction_set, "
                    "acknowledgment, control_counter RESTART IDENTITY CASCADE"
                )
            )
            await s.commit()
        await database.dispose()

    asyncio.run(truncate())
    yield Database(database_url)


class _ManyRecords:
    """Per set: one claim then ``lines`` lines under it (keys carry the set's control
    number, so a record stored twice or under the wrong set shows)."""

    guides = ("837P",)

    def __init__(self, lines: int, fail_control: str | None = None) -> None:
        self.lines = lines
        self.fail_control = fail_control
        self.calls = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def read(self, ts: TransactionSet) -> list[Record]:
        with self._lock:
            self.calls += 1
            self.threads.add(threading.current_thread().name)
        if ts.control == self.fail_control:
            raise RuntimeError("plugin bug on purpose")
        parent = Record("claim", f"claim:{ts.control}", None, 1, {"set": ts.control})
        lines = [
            Record(
                "service_line",
                f"line:{ts.control}:{i}",
                parent.key,
                2 + i,
                {"n": i, "nested": {"list": [i, str(i)]}},
                {"amount": f"{i}.5", "code": f"C{i}"},
            )
            for i in range(self.lines)
        ]
        return [parent, *lines]

    def write(self, records: list[Record], ts: object) -> None:
        raise NotImplementedError


def _file(sets: int = SETS, control: str = "000000101") -> bytes:
    bodies = [
        transaction(professional([claim(f"C{i}", ["100*99213"])]), control=f"{i:04d}")
        for i in range(1, sets + 1)
    ]
    return interchange(group(bodies), control=control).encode()


async def test_every_record_of_every_set_is_stored_once_in_read_order(db: Database) -> None:
    plugin = _ManyRecords(lines=COPY_THRESHOLD + 30, fail_control="0004")
    await ingest(db, _file(), registry=Registry([("test", plugin)]))
    async with db.session() as s:
        sets = (
            (await s.execute(select(m.TransactionSet).order_by(m.TransactionSet.id)))
            .scalars()
            .all()
        )
        rows = (await s.execute(select(m.RecordRow).order_by(m.RecordRow.id))).scalars().all()
    assert [t.control_number for t in sets] == [f"{i:04d}" for i in range(1, SETS + 1)]
    assert [t.status for t in sets] == ["stored"] * 3 + ["failed"] + ["stored"] * 2
    assert sets[3].error == "RuntimeError: plugin bug on purpose"
    by_set: dict[int, list[m.RecordRow]] = {}
    for row in rows:
        by_set.setdefault(row.transaction_set_id, []).append(row)
    assert sets[3].id not in by_set
    for ts in (t for t in sets if t.status == "stored"):
        stored = by_set[ts.id]
        control = ts.control_number
        assert [r.key for r in stored] == [f"claim:{control}"] + [
            f"line:{control}:{i}" for i in range(COPY_THRESHOLD + 30)
        ]
        claim_row = stored[0]
        assert claim_row.parent_id is None and claim_row.fields == {"set": control}
        assert all(r.parent_id == claim_row.id for r in stored[1:])
        assert stored[5].fields == {"n": 4, "nested": {"list": [4, "4"]}}
        assert str(stored[5].amount) == "4.50" and stored[5].code == "C4"
    assert len(rows) == (SETS - 1) * (COPY_THRESHOLD + 31)
    assert plugin.threads and threading.main_thread().name not in plugin.threads


async def test_a_duplicate_reads_at_most_the_read_ahead(db: Database) -> None:
    data = _file()
    await ingest(db, data, registry=Registry([("test", _ManyRecords(lines=3))]))
    again = _ManyRecords(lines=3)
    result = await ingest(db, data, registry=Registry([("test", again)]))
    assert result.duplicate
    assert again.calls <= READ_AHEAD < SETS


async def test_a_failure_midway_stops_the_reader(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = _ManyRecords(lines=3)
    real = ingest_module._store_set
    stored = 0

    async def store_set(*args: object) -> int:
        nonlocal stored
        stored += 1
        if stored == 2:
            raise RuntimeError("database gone")
        return await real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "_store_set", store_set)
    with pytest.raises(RuntimeError, match="database gone"):
        await asyncio.wait_for(
            ingest(db, _file(sets=12), registry=Registry([("test", plugin)])), 30
        )
    assert plugin.calls <= READ_AHEAD + 1
    async with db.session() as s:
        upload = (await s.execute(select(m.Upload))).scalar_one()
    assert upload.status == "failed"
