"""``x12gw replay`` and ``x12gw interchanges list/show`` against a real PostgreSQL."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text

from gateway import cli
from gateway.ingest import ingest
from gateway.store import connect
from gateway.store import models as m
from gateway.store.db import Database
from tests.db import fresh_database
from tests.test_replay import GOOD, bad_se, flaky_registry


@pytest.fixture(scope="session")
def cli_database_url(worker_id: str) -> str:
    return fresh_database(f"{worker_id}_cli_replay")


@pytest.fixture
async def db(cli_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    monkeypatch.setattr(connect, "database_url", lambda: cli_database_url)
    database = Database(cli_database_url)
    async with database.session() as s:
        await s.execute(text("TRUNCATE upload, control_counter RESTART IDENTITY CASCADE"))
        await s.commit()
    yield database
    await database.dispose()


async def run(*argv: str) -> tuple[int, str]:
    """The CLI runs its own event loop: call it from a thread, as a terminal would."""
    import asyncio

    out = io.StringIO()
    status = await asyncio.to_thread(cli.run, list(argv), out)
    return status, out.getvalue()


async def test_replay_by_filter_fixes_what_a_plugin_bug_failed(db: Database) -> None:
    failed = (await ingest(db, GOOD, registry=flaky_registry())).interchanges[0].id
    fine = (await ingest(db, GOOD.replace(b"000000101", b"000000102"))).interchanges[0].id

    status, out = await run("replay", "--status", "failed", "--since", "2000-01-01", "--dry-run")
    assert status == 0
    assert out == f"#{failed}: parsed -> parsed, changed (dry run)\n"

    status, out = await run("replay", "--status", "failed", "--since", "2000-01-01")
    assert (status, out) == (0, f"#{failed}: parsed -> parsed, changed\n")
    async with db.session() as s:
        assert set(await s.scalars(select(m.TransactionSet.status))) == {"stored"}

    status, out = await run("replay", str(failed), str(fine), "--json")
    items = json.loads(out)["items"]
    assert status == 0 and [i["changed"] for i in items] == [False, False]
    status, out = await run("replay", "--status", "failed")
    assert (status, out) == (0, "no interchange matches\n")


async def test_replay_reports_what_it_could_not_replay(db: Database) -> None:
    ic = (await ingest(db, GOOD)).interchanges[0].id
    dup = (await ingest(db, GOOD)).interchanges[0].id
    status, out = await run("replay", str(dup), "999")
    assert status == 1
    assert f"#{dup}: not replayed: interchange #{dup} is a duplicate of #{ic}" in out
    assert "#999: not replayed: no interchange #999" in out
    with pytest.raises(cli.UsageError):
        await run("replay")
    with pytest.raises(cli.UsageError):
        await run("replay", str(ic), "--status", "failed")


async def test_replay_shows_a_progress_bar_on_a_terminal(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        await ingest(db, GOOD.replace(b"000000101", f"00000040{n}".encode()))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    calls: list[int] = []
    real = cli._count_bar

    def counting(total: int):  # type: ignore[no-untyped-def]
        calls.append(total)
        return real(total)

    monkeypatch.setattr(cli, "_count_bar", counting)
    status, out = await run("replay", "--type", "837P")
    assert status == 0 and out.count("unchanged") == 3 and calls == [3]


async def test_interchanges_list_and_show(db: Database) -> None:
    broken = (await ingest(db, bad_se(GOOD))).interchanges[0].id
    good = (await ingest(db, GOOD.replace(b"000000101", b"000000102"))).interchanges[0].id
    await run("replay", str(good))

    status, out = await run("interchanges", "list", "--json")
    assert status == 0
    assert [(i["id"], i["status"]) for i in json.loads(out)["items"]] == [
        (good, "parsed"),
        (broken, "parsed"),
    ]
    status, out = await run("interchanges", "list", "--status", "rejected")
    assert status == 0 and out.startswith(f"#{broken} ") and "ZZ:SUBMITTER" in out
    assert len(out.splitlines()) == 1

    status, out = await run("interchanges", "show", str(good))
    assert status == 0
    assert f"interchange #{good} ZZ:SUBMITTER -> ZZ:RECEIVER ISA13 000000102: parsed" in out
    assert "837P 0001: stored" in out
    lines = out.split("attempts:\n")[1].splitlines()
    assert [line.split()[1] for line in lines] == ["ingest", "replay"]
    status, out = await run("interchanges", "show", str(good), "--json")
    assert [a["kind"] for a in json.loads(out)["attempts"]] == ["ingest", "replay"]
    with pytest.raises(cli.UsageError):
        await run("interchanges", "show", "999")
