"""The console in a real headless Chromium (Debian's package, driven by Playwright).

A real ``x12gw serve`` process on a free port, over a fresh database: post an 837 whose
SE count is wrong, sign in, find it in the failed list, see its SE segment highlighted,
replay it, correct it, and see the corrected version stored. A screenshot of each page
goes to ``artifacts/console/``.

No browser is downloaded: the test uses /usr/bin/chromium (``.ci/run`` installs it).
Without it the test is skipped on a developer's machine and fails in CI.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.api.auth import create_partner_key
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.outbox import OutboxItem, Webhook, WebhookDelivery
from tests.conftest import ROOT
from tests.db import fresh_database
from tests.x12 import claim, file_837

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "console"
ADMIN_KEY = "browser-admin-key"


def _need_browser() -> Any:
    """Playwright's sync API, or a skip (a failure under CI) saying what is missing."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
        sync_api = None
    if missing:
        reason = "the console browser test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_api


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    base: str
    database_url: str
    partner_key: str


async def _seed(url: str) -> str:
    """A partner bound to ZZ:SUBMITTER, with a webhook; returns its API key."""
    db = Database(url)
    try:
        async with db.session() as s:
            partner, key = await create_partner_key(s, "north-clinic", [("ZZ", "SUBMITTER")])
            s.add(Webhook(partner_id=partner.id, url="http://127.0.0.1:9/x12gw-hook", secret="s"))
            await s.commit()
    finally:
        await db.dispose()
    return key


async def _delivery(url: str) -> None:
    """One failed webhook call for the newest outbox item (placing one if the ingest did not)."""
    db = Database(url)
    try:
        async with db.session() as s:
            item = (
                await s.execute(select(OutboxItem).order_by(OutboxItem.id.desc()).limit(1))
            ).scalar_one_or_none()
            if item is None:
                ack = (
                    (await s.execute(select(m.Acknowledgment).order_by(m.Acknowledgment.id.desc())))
                    .scalars()
                    .first()
                )
                partner = (
                    await s.execute(select(m.Partner).where(m.Partner.name == "north-clinic"))
                ).scalar_one()
                assert ack is not None
                item = OutboxItem(
                    partner_id=partner.id,
                    kinds=ack.kinds,
                    acknowledgment_id=ack.id,
                    control_number=ack.control_number,
                )
                s.add(item)
                await s.flush()
            when = dt.datetime.now(dt.UTC)
            s.add(
                WebhookDelivery(
                    outbox_item_id=item.id,
                    attempt=1,
                    url="http://127.0.0.1:9/x12gw-hook",
                    status_code=503,
                    error="HTTP 503",
                    started_at=when,
                    finished_at=when + dt.timedelta(milliseconds=42),
                    next_retry_at=when + dt.timedelta(minutes=1),
                )
            )
            await s.commit()
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def server(worker_id: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _need_browser()
    url = fresh_database(f"{worker_id}_console_browser")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "X12GW_ADMIN_KEY": ADMIN_KEY,
        "X12GW_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        out = proc.stdout.read().decode() if proc.stdout else ""
        pytest.fail(f"the server did not become ready: {out}")
    yield Server(base, url, asyncio.run(_seed(url)))
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _837(control: str, se_off_by: int = 0) -> bytes:
    data = file_837([claim("BROWSER1", ["100*99213", "75*85025"])])
    data = data.replace(b"000000101", control.encode())
    if se_off_by:
        data = re.sub(
            rb"SE\*(\d+)\*", lambda m: b"SE*" + str(int(m[1]) + se_off_by).encode() + b"*", data
        )
    return data


def _post(server: Server, data: bytes) -> int:
    r = httpx.post(
        f"{server.base}/v1/interchanges",
        content=data,
        headers={
            "Authorization": f"Bearer {server.partner_key}",
            "Content-Type": "application/edi-x12",
        },
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return int(r.json()["interchanges"][0]["id"])


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_find_highlight_correct_and_replay_a_rejected_interchange(server: Server) -> None:
    sync_api = _need_browser()
    _post(server, _837("000000801"))
    bad = _post(server, _837("000000802", se_off_by=3))
    good_text = _837("000000802").decode("latin-1")
    asyncio.run(_delivery(server.database_url))
    base = server.base

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)

            # every console page sends an unsigned-in browser to the login
            page.goto(f"{base}/console/failed")
            assert "/console/login" in page.url
            _shot(page, "login")
            page.fill("#key", "wrong-key")
            page.click("button[type=submit]")
            assert "not the admin key" in page.inner_text("main")
            page.fill("#key", ADMIN_KEY)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r".*/console/failed$"))

            # the failed list holds the rejected interchange, not the good one
            row = page.locator(f'#failed tr[data-interchange="{bad}"]')
            assert row.count() == 1
            assert "se.count" in row.inner_text()
            assert page.locator("#failed tbody tr").count() == 1
            page.fill("input[name=q]", "000000802")
            page.click(".filters button[type=submit]")
            page.wait_for_url(re.compile(r".*q=000000802.*"))
            assert page.locator(f'#failed tr[data-interchange="{bad}"]').count() == 1
            _shot(page, "failed")

            # the dashboard counts both, with a chart
            page.click("nav >> text=Dashboard")
            page.wait_for_url(re.compile(r".*/console$"))
            assert page.locator("#interchanges-chart rect[data-status]").count() >= 1
            assert page.locator('#sets-chart rect[data-status="rejected"]').count() == 1
            assert "837P" in page.inner_text("#sets-by-type")
            assert page.inner_text("#attention") == "1"
            _shot(page, "dashboard")

            # the interchange page highlights the SE segment and names the finding beside it
            page.goto(f"{base}/console/failed")
            page.click(f'#failed tr[data-interchange="{bad}"] td:first-child a')
            page.wait_for_url(re.compile(rf".*/console/interchanges/{bad}$"))
            highlighted = page.locator("#raw tr.seg-error")
            assert highlighted.count() == 1
            assert highlighted.get_attribute("data-tag") == "SE"
            assert "se.count" in highlighted.inner_text()
            background = highlighted.evaluate("el => getComputedStyle(el).backgroundColor")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
            assert page.locator("#tree details.loop summary", has_text="2300").count() >= 1
            assert page.locator("#sets .badge-rejected").count() == 1
            _shot(page, "interchange")
            box = highlighted.bounding_box()
            assert box is not None
            page.screenshot(
                path=str(SHOTS / "interchange-highlight.png"),
                full_page=True,
                clip={"x": 0, "y": max(box["y"] - 220, 0), "width": 1280, "height": 340},
            )

            # Replay as it is: still rejected, the attempt is listed
            page.click("#replay-button")
            page.wait_for_url(re.compile(rf".*/console/interchanges/{bad}\?msg=.*"))
            assert "Replayed" in page.inner_text(".flash")
            assert page.locator("#attempts tbody tr", has_text="replay").count() >= 1

            # Replay with correction: a new version, stored, pointing back at the original
            page.fill("#corrected", good_text)
            page.click("#correct-button")
            page.wait_for_url(re.compile(r".*/console/interchanges/\d+\?msg=corrected$"))
            version = int(re.findall(r"/interchanges/(\d+)\?", page.url)[0])
            assert version != bad
            assert "corrected version was stored" in page.inner_text(".flash")
            assert page.locator("#raw tr.seg-error").count() == 0
            assert page.locator(f'a[href="/console/interchanges/{bad}"]').count() >= 1
            assert page.locator("#sets .badge-rejected").count() == 0
            _shot(page, "corrected")

            # the outbox page
            page.click("nav >> text=Outbox")
            page.wait_for_url(re.compile(r".*/console/outbox$"))
            assert "north-clinic" in page.inner_text("#outbox-items")
            assert "HTTP 503" in page.inner_text("#deliveries")
            assert "127.0.0.1:9" in page.inner_text("#webhooks")
            _shot(page, "outbox")
        finally:
            browser.close()

    stored = httpx.get(
        f"{base}/v1/interchanges/{version}",
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        timeout=30,
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["status"] not in ("rejected", "failed")
    for name in (
        "login",
        "failed",
        "dashboard",
        "interchange",
        "interchange-highlight",
        "corrected",
        "outbox",
    ):
        assert (SHOTS / f"{name}.png").stat().st_size > 1000
