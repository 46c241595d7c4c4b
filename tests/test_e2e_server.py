"""End to end: ``x12gw serve`` as a real process on a free port, driven over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from parsers import parse
from tests.db import fresh_database
from tests.x12 import claim, file_837


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(worker_id: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = fresh_database(f"{worker_id}_e2e")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "X12GW_ADMIN_KEY": "e2e-admin-key",
        "X12GW_CACHE_DIR": str(tmp_path),
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
        pytest.fail(
            "the server did not become ready: "
            + (proc.stdout.read().decode() if proc.stdout else "")
        )
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_post_a_batch_and_read_it_back(server: str) -> None:
    admin = {"Authorization": "Bearer e2e-admin-key"}
    data = file_837([claim("E2E1", ["100*99213"]), claim("E2E2", ["75*85025"])])
    posted = httpx.post(
        f"{server}/v1/interchanges",
        content=data,
        headers={**admin, "Content-Type": "application/edi-x12"},
        timeout=30,
    )
    assert posted.status_code == 200, posted.text
    body = posted.json()
    assert parse(body["acknowledgments"]["x12"].encode()).errors == []
    interchange_id = body["interchanges"][0]["id"]
    raw = httpx.get(f"{server}/v1/interchanges/{interchange_id}/raw", headers=admin)
    assert raw.content == data
    set_id = body["interchanges"][0]["transactionSets"][0]
    emitted = httpx.get(f"{server}/v1/transactions/{set_id}?format=x12", headers=admin)
    assert parse(emitted.content).errors == []
    assert httpx.get(f"{server}/v1/interchanges").status_code == 401
