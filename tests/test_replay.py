"""Replay and corrections against a real PostgreSQL: records replaced, never duplicated;
acknowledgments re-issued only when they change; attempts kept; concurrent replays."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from gateway import replay as rp
from gateway.ingest import ingest
from gateway.jobs import run_worker
from gateway.store import models as m
from gateway.store.db import Database
from parsers.envelope import TransactionSet
from parsers.writer import TransactionBuilder
from tests.api_support import ADMIN
from tests.db import fresh_database
from tests.x12 import claim, file_837, group, interchange, professional, transaction
from transactions.claims import ClaimsPlugin
from transactions.records import Record
from transactions.registry import Registry


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> str:
    return fresh_database(f"{worker_id}_replay")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.session() as s:
        await s.execute(
            text(
                "TRUNCATE upload, interchange, functional_group, transaction_set, "
                "acknowledgment, control_counter, attempt, replay_job RESTART IDENTITY CASCADE"
            )
        )
        await s.commit()
    yield database
    await database.dispose()


class FlakyClaims:
    """A claims plugin with a bug that is "fixed" after its first call."""

    guides: ClassVar[tuple[str, ...]] = ClaimsPlugin.guides

    def __init__(self) -> None:
        self.calls = 0
        self.inner = ClaimsPlugin()

    def read(self, ts: TransactionSet) -> list[Record]:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("plugin bug")
        return self.inner.read(ts)

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        self.inner.write(records, ts)


def flaky_registry() -> Registry:
    return Registry([("flaky", FlakyClaims())])


GOOD = file_837([claim("A1", ["100*99213"]), claim("A2", ["50*85025"])], ack="1")


def bad_se(data: bytes) -> bytes:
    """The same file with a wrong SE01 segment count: the 999 rejects the set."""
    head, tail = data.split(b"SE*", 1)
    count, rest = tail.split(b"*", 1)
    return head + b"SE*" + str(int(count) + 5).encode() + b"*" + rest


async def counts(db: Database, interchange_id: int) -> tuple[int, int, int]:
    async with db.session() as s:
        records = await s.scalar(
            select(func.count())
            .select_from(m.RecordRow)
            .where(m.RecordRow.interchange_id == interchange_id)
        )
        sets = await s.scalar(
            select(func.count())
            .select_from(m.TransactionSet)
            .where(m.TransactionSet.interchange_id == interchange_id)
        )
        groups = await s.scalar(
            select(func.count())
            .select_from(m.FunctionalGroup)
            .where(m.FunctionalGroup.interchange_id == interchange_id)
        )
    return int(records or 0), int(sets or 0), int(groups or 0)


async def set_rows(db: Database, interchange_id: int) -> list[tuple[Any, ...]]:
    async with db.session() as s:
        rows = await s.execute(
            select(
                m.TransactionSet.id,
                m.TransactionSet.status,
                m.TransactionSet.start_offset,
                m.TransactionSet.first_ordinal,
            )
            .where(m.TransactionSet.interchange_id == interchange_id)
            .order_by(m.TransactionSet.id)
        )
        return [tuple(r) for r in rows]


async def ack_ids(db: Database, interchange_id: int) -> list[int]:
    async with db.session() as s:
        rows = await s.execute(
            select(m.Acknowledgment.id)
            .where(m.Acknowledgment.interchange_id == interchange_id)
            .order_by(m.Acknowledgment.id)
        )
        return list(rows.scalars())


async def test_ingest_records_an_attempt_and_an_unchanged_replay_changes_nothing(
    db: Database,
) -> None:
    result = await ingest(db, GOOD)
    ic = result.interchanges[0].id
    before = await counts(db, ic)
    sets_before = await set_rows(db, ic)
    assert before[0] > 0

    out = await rp.replay(db, ic, actor="admin")

    assert (out.changed, out.diff, out.acks_reissued) == (False, [], [])
    assert out.status_before == out.status_after == "parsed"
    assert await counts(db, ic) == before
    assert await set_rows(db, ic) == sets_before  # same rows, same IDs, same provenance
    assert len(await ack_ids(db, ic)) == 1
    async with db.session() as s:
        history = await rp.attempts(s, ic)
    assert [(a.kind, a.actor, a.outcome) for a in history] == [
        ("ingest", "upload", "parsed"),
        ("replay", "admin", "parsed"),
    ]
    assert history[0].sets[0]["status"] == "stored" and history[0].sets[0]["records"] > 0
    assert out.attempt_id == history[1].id


async def test_replay_after_a_plugin_bug_is_fixed_stores_the_set(db: Database) -> None:
    registry = flaky_registry()
    result = await ingest(db, GOOD, registry=registry)
    ic = result.interchanges[0].id
    [(set_id, status, _, _)] = await set_rows(db, ic)
    assert status == "failed" and (await counts(db, ic))[0] == 0

    dry = await rp.replay(db, ic, actor="admin", dry_run=True, registry=registry)
    assert dry.dry_run and dry.changed and dry.attempt_id is None
    assert next(d for d in dry.diff if d["what"] == "transactionSet")["after"]["status"] == "stored"
    assert (await set_rows(db, ic))[0][1] == "failed"  # a dry run changes nothing
    assert (await counts(db, ic))[0] == 0

    out = await rp.replay(db, ic, actor="admin", registry=registry)

    [change] = [d for d in out.diff if d["what"] == "transactionSet"]
    assert change["id"] == set_id
    assert change["before"]["status"] == "failed" and change["after"]["status"] == "stored"
    assert change["before"]["error"] == "RuntimeError" and change["after"]["records"] > 0
    assert (await set_rows(db, ic))[0][:2] == (set_id, "stored")
    records = (await counts(db, ic))[0]
    assert records == change["after"]["records"]
    assert out.acks_reissued == []  # the 999 did not depend on the plugin
    again = await rp.replay(db, ic, actor="admin", registry=registry)
    assert not again.changed and (await counts(db, ic))[0] == records
    async with db.session() as s:
        history = await rp.attempts(s, ic)
    assert [a.kind for a in history] == ["ingest", "replay", "replay"]
    assert history[0].sets[0]["error"] == "RuntimeError"


async def test_concurrent_replays_of_one_interchange_never_duplicate(db: Database) -> None:
    registry = flaky_registry()
    ic = (await ingest(db, GOOD, registry=registry)).interchanges[0].id

    outcomes = await asyncio.gather(
        *(rp.replay(db, ic, actor=f"ops{i}", registry=registry) for i in range(4)),
        return_exceptions=True,
    )

    done = [o for o in outcomes if isinstance(o, rp.ReplayResult)]
    assert done, outcomes
    assert all(isinstance(o, rp.ReplayResult | rp.ReplayConflict) for o in outcomes), outcomes
    assert sum(o.changed for o in done) == 1  # the first one stored the set; none after it
    single = await ingest(db, GOOD.replace(b"000000101", b"000000102"))
    expected = (await counts(db, single.interchanges[0].id))[0]
    assert (await counts(db, ic))[0] == expected


async def test_a_replay_while_another_holds_the_lock_is_a_conflict(db: Database) -> None:
    ic = (await ingest(db, GOOD)).interchanges[0].id
    async with db.session() as s:
        await s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"replay:{ic}"})
        with pytest.raises(rp.ReplayConflict):
            await rp.replay(db, ic, actor="admin")
        with pytest.raises(rp.ReplayConflict):
            await rp.correct(db, ic, bad_se(GOOD), actor="admin")
    assert (await rp.replay(db, ic, actor="admin")).attempt_id is not None


async def test_replaying_one_interchange_of_a_larger_upload_keeps_offsets_and_ordinals(
    db: Database,
) -> None:
    second = interchange(
        group([transaction(professional([claim("B1", ["75*99213"])]))]), control="000000202"
    ).encode()
    data = b"preamble\r\n" + GOOD + b"\r\n" + second
    result = await ingest(db, data)
    ic = result.interchanges[1].id
    before = await set_rows(db, ic)
    async with db.session() as s:
        ordinals = list(
            await s.scalars(
                select(m.RecordRow.ordinal)
                .where(m.RecordRow.interchange_id == ic)
                .order_by(m.RecordRow.id)
            )
        )

    out = await rp.replay(db, ic, actor="admin")

    assert not out.changed, out.diff
    assert await set_rows(db, ic) == before
    async with db.session() as s:
        after = list(
            await s.scalars(
                select(m.RecordRow.ordinal)
                .where(m.RecordRow.interchange_id == ic)
                .order_by(m.RecordRow.id)
            )
        )
    assert after == ordinals and min(after) > GOOD.count(b"~")  # counted from the upload start


async def test_acks_are_reissued_with_new_control_numbers_only_when_they_change(
    db: Database,
) -> None:
    ic = (await ingest(db, GOOD)).interchanges[0].id
    [first] = await ack_ids(db, ic)
    async with db.session() as s:
        old = await s.get(m.Acknowledgment, first)
        assert old is not None and old.fingerprint
        old_x12 = old.x12
        # an acknowledgment stored before fingerprints existed compares by its summary
        await s.execute(
            update(m.Acknowledgment).where(m.Acknowledgment.id == first).values(fingerprint=None)
        )
        await s.commit()
    assert (await rp.replay(db, ic, actor="admin")).acks_reissued == []

    async with db.session() as s:  # as if the ack had been built by older code
        await s.execute(
            update(m.Acknowledgment).where(m.Acknowledgment.id == first).values(fingerprint="x")
        )
        await s.commit()
    dry = await rp.replay(db, ic, actor="admin", dry_run=True)
    assert dry.acks_would_change and dry.acks_reissued == []
    assert await ack_ids(db, ic) == [first]

    out = await rp.replay(db, ic, actor="admin")

    [new] = out.acks_reissued
    assert await ack_ids(db, ic) == [first, new]
    assert {"what": "acknowledgment", "reissued": True} in out.diff
    async with db.session() as s:
        ack = await s.get(m.Acknowledgment, new)
        assert ack is not None
    isa13 = ack.x12.split(b"*")[13]
    assert isa13 != old_x12.split(b"*")[13]  # a new control number from the partner's counter
    assert (await rp.replay(db, ic, actor="admin")).acks_reissued == []


async def test_a_correction_is_a_new_version_and_the_original_bytes_stay(db: Database) -> None:
    broken = bad_se(GOOD)
    ic = (await ingest(db, broken)).interchanges[0].id
    [(_, status, _, _)] = await set_rows(db, ic)
    assert status == "rejected"
    [ack_before] = await ack_ids(db, ic)

    dry = await rp.correct(db, ic, GOOD, actor="ops", dry_run=True)
    assert dry.dry_run and dry.version_of == ic and dry.interchange_id == ic
    async with db.session() as s:
        assert (await s.scalar(select(func.count()).select_from(m.Upload))) == 1

    out = await rp.correct(db, ic, GOOD, actor="ops")

    assert out.version_of == ic and out.interchange_id != ic
    assert out.status_before == "parsed" and out.status_after == "parsed"
    [segments] = [d for d in out.diff if d["what"] == "segments"]
    assert segments["op"] == "replace" and segments["before"][0].startswith("SE*")
    [change] = [d for d in out.diff if d["what"] == "transactionSet"]
    assert change["before"]["status"] == "rejected" and change["after"]["status"] == "stored"
    assert (
        len(out.acks_reissued) == 1 and await ack_ids(db, out.interchange_id) == out.acks_reissued
    )
    async with db.session() as s:
        original = await s.get(m.Interchange, ic)
        version = await s.get(m.Interchange, out.interchange_id)
        assert original is not None and version is not None
        assert original.status == "superseded" and version.version_of_id == ic
        upload = await s.get(m.Upload, original.upload_id)
        assert upload is not None
        assert upload.raw == broken and upload.sha256 == hashlib.sha256(broken).hexdigest()
        new_upload = await s.get(m.Upload, version.upload_id)
        assert new_upload is not None and new_upload.raw == GOOD
        assert new_upload.source == "correction"
        history = await rp.attempts(s, ic)
        assert [(a.kind, a.outcome) for a in history] == [
            ("ingest", "parsed"),
            ("correction", "superseded"),
        ]
        assert history[1].diff == [{"what": "supersededBy", "id": out.interchange_id}]
    assert (await counts(db, out.interchange_id))[0] > 0
    assert (await counts(db, ic))[0] == 0  # the records moved to the new version
    assert await ack_ids(db, ic) == [ack_before]

    with pytest.raises(rp.ReplayError, match="corrected by"):
        await rp.replay(db, ic, actor="ops")
    replayed = await rp.replay(db, out.interchange_id, actor="ops")
    assert not replayed.changed, replayed.diff  # the control number is its own, not a clash


async def test_bad_corrections_are_refused(db: Database) -> None:
    ic = (await ingest(db, GOOD)).interchanges[0].id
    with pytest.raises(rp.ReplayError, match="as it was stored"):
        await rp.correct(db, ic, GOOD, actor="ops")
    with pytest.raises(rp.ReplayError, match="exactly one"):
        await rp.correct(db, ic, GOOD + GOOD, actor="ops")
    with pytest.raises(rp.ReplayError, match="exactly one"):
        await rp.correct(db, ic, b"not x12 at all", actor="ops")
    with pytest.raises(rp.ReplayNotFound):
        await rp.correct(db, ic + 100, bad_se(GOOD), actor="ops")


async def test_duplicates_and_unknown_interchanges_are_not_replayed(db: Database) -> None:
    ic = (await ingest(db, GOOD)).interchanges[0].id
    dup = (await ingest(db, GOOD)).interchanges[0]
    assert dup.status == "duplicate"
    with pytest.raises(rp.ReplayError, match=f"duplicate of #{ic}"):
        await rp.replay(db, dup.id, actor="admin")
    with pytest.raises(rp.ReplayNotFound):
        await rp.replay(db, ic + 100, actor="admin")


async def test_a_failed_replay_leaves_a_failed_attempt_and_the_old_records(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ic = (await ingest(db, GOOD)).interchanges[0].id
    before = await counts(db, ic)

    async def unavailable(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT", {}, ConnectionError("database unavailable"))

    monkeypatch.setattr(rp, "_ordinal_base", unavailable)
    with pytest.raises(OperationalError):
        await rp.replay(db, ic, actor="worker")

    assert await counts(db, ic) == before
    async with db.session() as s:
        last = (await rp.attempts(s, ic))[-1]
    assert (last.kind, last.outcome, last.failure, last.error) == (
        "replay",
        "failed",
        "transient",
        "OperationalError",
    )
    assert rp.is_transient(OperationalError("x", {}, Exception()))
    assert not rp.is_transient(ValueError("bad data"))


# --- bulk replays ---------------------------------------------------------------------------


async def test_a_bulk_replay_by_filter_replays_the_failed_ones_and_resumes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = []
    for n in range(3):
        data = GOOD.replace(b"000000101", f"00000020{n}".encode())
        ids.append((await ingest(db, data, registry=flaky_registry())).interchanges[0].id)
    fine = (await ingest(db, GOOD)).interchanges[0].id  # stored fine: not selected
    fixed = flaky_registry()
    plugin = fixed.for_guide("837P")
    assert isinstance(plugin, FlakyClaims)
    plugin.calls = 1  # its bug is fixed

    job = await rp.create_bulk(db, {"status": "failed", "type": "837P"}, actor="ops")
    real = rp.replay
    calls: list[int] = []

    async def flaky_db(database: Database, iid: int, **kwargs: Any) -> rp.ReplayResult:
        calls.append(iid)
        if iid == ids[1] and calls.count(iid) <= 2:  # the database goes away twice
            raise OperationalError("SELECT", {}, ConnectionError("unavailable"))
        return await real(database, iid, **kwargs)

    monkeypatch.setattr(rp, "replay", flaky_db)
    # retried once only: the second failure outlasts it and the job goes back to the queue
    with pytest.raises(OSError, match="outlasted"):
        await rp.run_bulk(db, job, registry=fixed, delays=(0,))
    async with db.session() as s:
        row = await s.get(m.ReplayJob, job)
        assert row is not None
        assert (row.status, row.total, row.done, row.last_id) == ("queued", 3, 1, ids[0])

    result = await rp.run_bulk(db, job, registry=fixed, delays=(0,))

    assert result["changed"] == ids and result["failed"] == []
    assert fine not in calls and calls.count(ids[0]) == 1  # resumed after the last one done
    async with db.session() as s:
        row = await s.get(m.ReplayJob, job)
        assert row is not None
        assert (row.status, row.attempts, row.total, row.done, row.changed) == ("done", 2, 3, 3, 3)
        statuses = set(
            await s.scalars(
                select(m.TransactionSet.status).where(m.TransactionSet.interchange_id.in_(ids))
            )
        )
    assert statuses == {"stored"}
    assert await rp.run_bulk(db, job) == result  # a finished job is not run again


async def test_bulk_filters(db: Database) -> None:
    first = (await ingest(db, bad_se(GOOD))).interchanges[0].id
    second = (await ingest(db, GOOD.replace(b"000000101", b"000000301"))).interchanges[0].id
    async with db.session() as s:

        async def select_(**f: Any) -> list[int]:
            return list(await s.scalars(rp.targets(f)))

        assert await select_(status="rejected") == [first]
        assert await select_(type="837") == [first, second]
        assert await select_(type="837I") == []
        assert await select_(sender="ZZ:SUBMITTER") == [first, second]
        assert await select_(sender="OTHER") == []
        assert await select_(receivedFrom="2000-01-01", receivedTo="2999-01-01") == [
            first,
            second,
        ]
        assert await select_(receivedFrom="2999-01-01") == []
        rejected = await s.get(m.TransactionSet, 1)
        assert rejected is not None and rejected.status == "rejected"
        code = rejected.findings[0]["code"]
        assert await select_(findingCode=code) == [first]


# --- the HTTP API ---------------------------------------------------------------------------


def _admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN}"}


async def _post(api_client: httpx.AsyncClient, data: bytes) -> int:
    headers = {
        "Authorization": f"Bearer {api_client.headers['x-test-partner-key']}",
        "Content-Type": "application/edi-x12",
    }
    posted = await api_client.post("/v1/interchanges", content=data, headers=headers)
    assert posted.status_code == 200, posted.text
    return int(posted.json()["interchanges"][0]["id"])


async def test_api_replay_dry_run_conflict_and_attempts(
    api_client: httpx.AsyncClient, api_database_url: str
) -> None:
    ic = await _post(api_client, GOOD)
    partner = {"Authorization": f"Bearer {api_client.headers['x-test-partner-key']}"}
    other = {"Authorization": f"Bearer {api_client.headers['x-test-other-key']}"}

    assert (
        await api_client.post(f"/v1/interchanges/{ic}/replay", headers=partner)
    ).status_code == 403
    missing = await api_client.post(f"/v1/interchanges/{ic + 99}/replay", headers=_admin())
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    dry = await api_client.post(f"/v1/interchanges/{ic}/replay?dryRun=true", headers=_admin())
    assert dry.status_code == 200 and dry.json()["dryRun"] is True
    assert dry.json()["attemptId"] is None
    done = await api_client.post(f"/v1/interchanges/{ic}/replay", headers=_admin())
    assert done.status_code == 200, done.text
    assert done.json()["changed"] is False and done.json()["attemptId"]

    db = Database(api_database_url)
    try:
        async with db.session() as s:
            await s.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"replay:{ic}"}
            )
            busy = await api_client.post(f"/v1/interchanges/{ic}/replay", headers=_admin())
            assert busy.status_code == 409 and busy.json()["type"].endswith("replay-in-progress")
    finally:
        await db.dispose()

    history = await api_client.get(f"/v1/interchanges/{ic}/attempts", headers=partner)
    assert history.status_code == 200
    assert [a["kind"] for a in history.json()["items"]] == ["ingest", "replay"]
    assert (
        await api_client.get(f"/v1/interchanges/{ic}/attempts", headers=other)
    ).status_code == 404


async def test_api_correction_is_idempotent_and_keeps_the_original(
    api_client: httpx.AsyncClient,
) -> None:
    broken = bad_se(GOOD)
    ic = await _post(api_client, broken)
    headers = {**_admin(), "Content-Type": "text/plain", "Idempotency-Key": "fix-1"}

    wrong = await api_client.post(
        f"/v1/interchanges/{ic}/corrections", content=b"ISA*garbage", headers=_admin()
    )
    assert wrong.status_code == 422 and wrong.json()["type"].endswith("bad-correction")
    bad_type = await api_client.post(
        f"/v1/interchanges/{ic}/corrections",
        json={"x": 1},
        headers=_admin(),
    )
    assert bad_type.status_code == 415
    dry = await api_client.post(
        f"/v1/interchanges/{ic}/corrections?dryRun=true", content=GOOD, headers=_admin()
    )
    assert dry.status_code == 200 and dry.json()["newVersionId"] is None

    first = await api_client.post(
        f"/v1/interchanges/{ic}/corrections", content=GOOD, headers=headers
    )
    again = await api_client.post(
        f"/v1/interchanges/{ic}/corrections", content=GOOD, headers=headers
    )

    assert first.status_code == 201, first.text
    body = first.json()
    assert body["versionOf"] == ic and body["newVersionId"] == body["interchangeId"] != ic
    assert first.headers["location"] == f"/v1/interchanges/{body['newVersionId']}"
    assert any(d["what"] == "segments" for d in body["diff"])
    assert again.status_code == 201 and again.json() == body
    assert again.headers.get("idempotent-replayed") == "true"
    raw = await api_client.get(f"/v1/interchanges/{ic}/raw", headers=_admin())
    assert raw.content == broken
    original = (await api_client.get(f"/v1/interchanges/{ic}", headers=_admin())).json()
    assert original["status"] == "superseded"
    replay_old = await api_client.post(f"/v1/interchanges/{ic}/replay", headers=_admin())
    assert replay_old.status_code == 409 and replay_old.json()["type"].endswith("not-replayable")


async def test_api_bulk_replay_is_a_job_with_progress(
    api_client: httpx.AsyncClient, api_database_url: str
) -> None:
    ic = await _post(api_client, GOOD)
    for body in ({}, {"nope": 1}, {"receivedFrom": "yesterday"}):
        refused = await api_client.post("/v1/replays", json=body, headers=_admin())
        assert refused.status_code == 422, body
    partner = {"Authorization": f"Bearer {api_client.headers['x-test-partner-key']}"}
    assert (
        await api_client.post("/v1/replays", json={"type": "837"}, headers=partner)
    ).status_code == 403

    posted = await api_client.post(
        "/v1/replays", json={"type": "837P", "receivedFrom": "2000-01-01"}, headers=_admin()
    )
    assert posted.status_code == 202, posted.text
    job = posted.json()["jobId"]
    assert posted.headers["location"] == f"/v1/replays/{job}"
    queued = (await api_client.get(f"/v1/replays/{job}", headers=_admin())).json()
    assert queued["status"] == "queued" and queued["filter"]["type"] == "837P"

    await run_worker(api_database_url, wait=False)

    done = (await api_client.get(f"/v1/replays/{job}", headers=_admin())).json()
    assert done["status"] == "done", done
    assert done["progress"] == {"total": 1, "done": 1, "changed": 0, "failed": 0}
    history = (await api_client.get(f"/v1/interchanges/{ic}/attempts", headers=_admin())).json()
    assert [(a["kind"], a["actor"]) for a in history["items"]] == [
        ("ingest", "partner:1"),
        ("replay", "admin"),
    ]
    assert (await api_client.get("/v1/replays/999", headers=_admin())).status_code == 404


async def test_an_ingest_that_failed_midway_is_recorded_and_finished_by_a_replay(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gateway.ingest as ingest_module

    async def broken(*args: object) -> None:
        raise RuntimeError("bug")

    with monkeypatch.context() as patch:
        patch.setattr(ingest_module, "_normalize", broken)
        with pytest.raises(RuntimeError):
            await ingest(db, GOOD)
    async with db.session() as s:
        ic = await s.scalar(select(m.Interchange.id))
        assert ic is not None
        [first] = await rp.attempts(s, ic)
        assert (first.kind, first.outcome, first.failure, first.error) == (
            "ingest",
            "failed",
            "permanent",
            "RuntimeError",
        )
        await s.execute(update(m.Upload).values(status="received"))  # as if still running
        await s.commit()
    with pytest.raises(rp.ReplayConflict, match="still being ingested"):
        await rp.replay(db, ic, actor="ops")
    async with db.session() as s:
        await s.execute(update(m.Upload).values(status="failed"))
        await s.commit()

    out = await rp.replay(db, ic, actor="ops")

    assert out.changed and out.status_after == "parsed"
    assert (await set_rows(db, ic))[0][1] == "stored" and (await counts(db, ic))[0] > 0
