"""The raw layer on a real PostgreSQL: bytes first and exact, duplicates, concurrency, acks."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import select, text

from gateway.ingest import ingest
from gateway.store import models as m
from gateway.store.connect import alembic_config
from gateway.store.db import Database
from parsers import parse
from tests.db import fresh_database
from tests.x12 import claim, file_837


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> str:
    return fresh_database(worker_id)


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


GOOD = file_837([claim("A1", ["100*99213"]), claim("A2", ["50*85025"])], ack="1")


def test_models_and_migrations_agree(database_url: str) -> None:
    command.check(alembic_config(database_url))  # raises when autogenerate would change anything


async def test_raw_bytes_are_kept_exactly(db: Database) -> None:
    data = b"leading prose\r\n" + GOOD + b"\r\n"
    result = await ingest(db, data, filename="claims.837")
    async with db.session() as s:
        upload = (await s.execute(select(m.Upload))).scalar_one()
        assert upload.raw == data and upload.sha256 == hashlib.sha256(data).hexdigest()
        assert upload.findings[0]["code"] == "file.garbage"
        ic = (await s.execute(select(m.Interchange))).scalar_one()
        assert data[ic.start_offset : ic.end_offset] == GOOD
        assert (ic.sender_id, ic.control_number, ic.status) == ("SUBMITTER", "000000101", "parsed")
        sets = (await s.execute(select(m.TransactionSet))).scalars().all()
        assert [(t.kind, t.control_number, t.accepted) for t in sets] == [("837P", "0001", True)]
        assert data[sets[0].start_offset : sets[0].start_offset + 3] == b"ST*"
        acks = (await s.execute(select(m.Acknowledgment))).scalar_one()
        assert acks.kinds == "TA1,999,277CA"
    assert parse(result.acks).errors == []


async def test_garbage_is_stored_and_answered_with_findings(db: Database) -> None:
    result = await ingest(db, b"\x00\x01 not x12 at all")
    assert result.interchanges == []
    assert {f["code"] for f in result.findings} >= {"file.no_isa"}
    async with db.session() as s:
        upload = (await s.execute(select(m.Upload))).scalar_one()
        assert upload.raw == b"\x00\x01 not x12 at all" and upload.status == "rejected"


async def test_same_interchange_twice_is_a_duplicate(db: Database) -> None:
    first = await ingest(db, GOOD)
    second = await ingest(db, GOOD)
    assert second.duplicate and second.interchanges[0].duplicate_of == first.interchanges[0].id
    assert second.acks == first.acks  # answered with the original's acknowledgments
    async with db.session() as s:
        sets = (await s.execute(select(m.TransactionSet))).scalars().all()
        assert len(sets) == 1  # not stored twice
        uploads = (await s.execute(select(m.Upload))).scalars().all()
        assert len(uploads) == 2  # but what was received is kept


async def test_same_control_number_other_content_is_rejected_with_ta1_025(db: Database) -> None:
    await ingest(db, GOOD)
    other = GOOD.replace(b"CLM*A2*50", b"CLM*A2*60").replace(b"SV1*HC:85025*50", b"SV1*HC:85025*60")
    result = await ingest(db, other)
    assert result.interchanges[0].status == "rejected"
    ta1 = [s for ts in parse(result.acks).interchanges for s in ts.ta1s]
    assert ta1 and ta1[0].elements[4:6] == ["R", "025"]


async def test_concurrent_posts_of_one_interchange_store_one_copy(db: Database) -> None:
    results = await asyncio.gather(ingest(db, GOOD), ingest(db, GOOD), ingest(db, GOOD))
    statuses = sorted(r.interchanges[0].status for r in results)
    assert statuses == ["duplicate", "duplicate", "parsed"]
    async with db.session() as s:
        originals = (
            (await s.execute(select(m.Interchange).where(m.Interchange.duplicate_of_id.is_(None))))
            .scalars()
            .all()
        )
        assert len(originals) == 1


async def test_ack_control_numbers_are_unique_per_partner(db: Database) -> None:
    a = await ingest(db, GOOD)
    b = await ingest(db, GOOD.replace(b"000000101", b"000000102"))
    controls = [ic.control for r in (a, b) for ic in parse(r.acks).interchanges]
    assert len(controls) == len(set(controls)) == 2


class _OneRecordPerSet:
    guides = ("837P",)

    def __init__(self, fail_on: int | None = None, many: int = 0) -> None:
        self.calls = 0
        self.fail_on = fail_on
        self.many = many

    def read(self, ts):  # type: ignore[no-untyped-def]
        from transactions.records import Record

        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("plugin bug on purpose")
        records = [
            Record(
                "claim",
                f"claim:{i}",
                None,
                ts.header.ordinal,
                {"n": i},
                {"patient_control_number": f"P{i}", "amount": "1.5"},
            )
            for i in range(max(1, self.many))
        ]
        records.append(
            Record(
                "service_line",
                "line:0",
                "claim:0",
                ts.header.ordinal,
                {"x": [1, 2]},
                {"code": "99213"},
            )
        )
        return records

    def write(self, records, ts):  # type: ignore[no-untyped-def]
        raise NotImplementedError


async def test_a_plugin_failure_fails_only_its_transaction_set(db: Database) -> None:
    from tests.x12 import group, interchange, professional, transaction
    from transactions.registry import Registry

    bodies = [
        transaction(professional([claim(f"C{i}", ["100*99213"])]), control=f"000{i}")
        for i in range(1, 5)
    ]
    data = interchange(group(bodies)).encode()
    plugin = _OneRecordPerSet(fail_on=3)
    result = await ingest(db, data, registry=Registry([("test", plugin)]))
    async with db.session() as s:
        sets = (
            (await s.execute(select(m.TransactionSet).order_by(m.TransactionSet.id)))
            .scalars()
            .all()
        )
        assert [t.status for t in sets] == ["stored", "stored", "failed", "stored"]
        assert sets[2].error == "RuntimeError: plugin bug on purpose"
        upload = (await s.execute(select(m.Upload))).scalar_one()
        assert upload.raw == data
        records = (await s.execute(select(m.RecordRow))).scalars().all()
        assert len(records) == 3 * 2
    assert result.interchanges[0].status == "parsed"


async def test_large_batches_go_in_with_copy_and_load_back(db: Database) -> None:
    from gateway.store.records import COPY_THRESHOLD, load_records
    from transactions.registry import Registry

    plugin = _OneRecordPerSet(many=COPY_THRESHOLD + 50)
    await ingest(db, GOOD, registry=Registry([("test", plugin)]))
    async with db.session() as s:
        set_id = (await s.execute(select(m.TransactionSet.id))).scalar_one()
        loaded = await load_records(s, set_id)
        line = (
            await s.execute(select(m.RecordRow).where(m.RecordRow.entity == "service_line"))
        ).scalar_one()
        parent = await s.get(m.RecordRow, line.parent_id)
    assert len(loaded) == COPY_THRESHOLD + 51
    assert loaded[0].fields == {"n": 0} and loaded[0].index["patient_control_number"] == "P0"
    assert loaded[0].index["amount"] == "1.5"
    assert loaded[-1].parent == "claim:0" and parent is not None and parent.key == "claim:0"


def test_cli_ingest_stores_and_prints_acks(
    database_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json

    from gateway.cli import run
    from gateway.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        path = tmp_path / "claims.837"
        path.write_bytes(GOOD.replace(b"000000101", b"000000777"))
        out = io.StringIO()
        assert run(["ingest", "--json", str(path)], out) == 0
        report = json.loads(out.getvalue())
        assert report["interchanges"][0]["status"] == "parsed"
        assert parse(report["x12"].encode()).errors == []
        out = io.StringIO()
        assert run(["ingest", str(path)], out) == 0
        assert "duplicate of" in out.getvalue()
    finally:
        get_settings.cache_clear()


async def test_an_eligibility_response_knows_its_inquiry(db: Database) -> None:
    from tests.conftest import FIXTURES

    inquiry = (FIXTURES / "270" / "two-subscribers-with-dependent.270").read_bytes()
    doc = parse(inquiry)
    ts = doc.transactions[0]
    assert ts.root is not None
    trace = ts.root.get("TRN/02")
    assert trace
    from transactions.eligibility import EligibilityPlugin
    from transactions.emit import emit

    plugin = EligibilityPlugin()
    records = plugin.read(ts)
    answer = [r for r in records if r.entity != "inquiry"]  # the same people and traces, echoed
    for r in answer:
        if r.entity == "transaction":
            r.fields["purposeCode"] = "11"  # a response
    response = emit(plugin, answer, guide="271", control=9)
    await ingest(db, inquiry)
    stored = await ingest(db, response)
    assert stored.interchanges[0].status == "parsed", stored.findings
    async with db.session() as s:
        pairs = (
            (await s.execute(text("SELECT trace_number FROM eligibility_pairs"))).scalars().all()
        )
    assert trace in pairs


async def test_claim_timeline_is_one_query(db: Database) -> None:
    from tests.test_rules import remit
    from transactions.registry import load_registry

    if load_registry().for_guide("837P") is None:
        pytest.skip("no 837P plugin installed")
    claim_file = file_837([claim("TIMELINE1", ["100*99213"])])
    await ingest(db, claim_file)
    payment = (
        remit("80", "20").replace(b"CLP*A1*", b"CLP*TIMELINE1*").replace(b"000000101", b"000000202")
    )
    stored = await ingest(db, payment)
    assert stored.interchanges[0].status == "parsed", stored.findings
    async with db.session() as s:
        rows = (
            await s.execute(
                text(
                    "SELECT step, amount FROM claim_timeline "
                    "WHERE patient_control_number = 'TIMELINE1' ORDER BY seq"
                )
            )
        ).all()
    steps = [r.step for r in rows]
    assert steps[0] == "837P" and "835" in steps and len(steps) >= 3
    assert next(r.amount for r in rows if r.step == "835") == Decimal("80")


async def test_a_resend_with_line_breaks_is_a_duplicate(db: Database) -> None:
    data = GOOD.replace(b"~", b"~\r\n")
    first = await ingest(db, data)
    second = await ingest(db, data + b"\r\n")
    assert second.interchanges[0].status == "duplicate"
    assert second.interchanges[0].duplicate_of == first.interchanges[0].id
