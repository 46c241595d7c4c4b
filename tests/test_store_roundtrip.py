"""For every valid corpus file and fixture a plugin handles: parse -> store -> load -> emit ->
parse gives the same normalized records, and the emitted X12 validates with no errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, text

from gateway.emit import emit_transaction
from gateway.ingest import ingest
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records
from parsers import parse
from tests.conftest import corpus_files, fixture_files
from tests.db import fresh_database
from transactions.registry import load_registry
from transactions.rules import check

REGISTRY = load_registry()


def _kind(path: Path) -> str | None:
    doc = parse(path.read_bytes())
    kinds = {ts.guide.name for ts in doc.transactions if ts.guide}
    return next(iter(kinds)) if len(kinds) == 1 else None


def _cases() -> list[object]:
    paths = [f.path for f in corpus_files() if f.valid in ("yes", "repairable")] + fixture_files()
    cases = []
    for path in paths:
        kind = _kind(path)
        if kind and REGISTRY.for_guide(kind):
            cases.append(pytest.param(path, id=f"{path.parent.name}/{path.name}"))
    return cases or [pytest.param(None, marks=pytest.mark.skip(reason="no plugin is installed"))]


@pytest.fixture(scope="module")
def database_url(worker_id: str) -> str:
    return fresh_database(f"{worker_id}_rt")


@pytest.mark.parametrize("path", _cases())
def test_store_load_emit_round_trip(path: Path, database_url: str) -> None:
    data = path.read_bytes()
    original = parse(data, rules=check)
    if original.errors:
        pytest.skip("the sample itself has errors (see test_corpus.KNOWN_SAMPLE_DEFECTS)")

    async def run() -> None:
        db = Database(database_url)
        try:
            async with db.session() as s:
                await s.execute(text("TRUNCATE upload RESTART IDENTITY CASCADE"))
                await s.commit()
            result = await ingest(db, data)
            set_ids = [i for o in result.interchanges for i in o.transaction_sets]
            assert set_ids
            for set_id in set_ids:
                async with db.session() as s:
                    row = await s.get(m.TransactionSet, set_id)
                    assert row is not None and row.status == "stored", row and row.error
                    stored = await load_records(s, set_id)
                emitted = await emit_transaction(db, set_id, REGISTRY)
                doc = parse(emitted, rules=check)
                assert doc.errors == [], [str(f) for f in doc.errors]
                ts = doc.transactions[0]
                assert ts.guide is not None
                plugin = REGISTRY.for_guide(ts.guide.name)
                assert plugin is not None
                again = plugin.read(ts)
                assert [r.comparable() for r in again] == [r.comparable() for r in stored]
            async with db.session() as s:
                count = (await s.execute(select(m.RecordRow.id))).scalars().all()
                assert count
        finally:
            await db.dispose()

    asyncio.run(run())
