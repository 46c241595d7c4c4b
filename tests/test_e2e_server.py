"""End to end: ``x12gw serve`` as a real process on a free port, driven over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
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


@pytest.fixture
def demo_server(worker_id: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``x12gw serve --demo`` as a newcomer runs it; yields (base URL, admin key, partner key)."""
    url = fresh_database(f"{worker_id}_e2e_day")
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "DATABASE_URL": url, "X12GW_CACHE_DIR": str(tmp_path)}
    env.pop("X12GW_ADMIN_KEY", None)  # the demo makes one and prints it
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the demo server did not become ready: " + log.read_text(errors="replace"))
    printed = log.read_text(errors="replace")
    keys = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in printed.splitlines()
        if line.strip().startswith(("admin key:", "demo partner key:"))
    }
    yield base, keys["admin key"], keys["demo partner key"]
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_a_full_day(demo_server: tuple[str, str, str]) -> None:
    """Load members; check eligibility and an estimate; submit a claim; ask its status; the
    payer decides; the 835 is fetched; the claim shows all of it. Over real HTTP, one process."""
    from schemas.admin import ClaimDecision, MemberLoad
    from schemas.admin import example as admin_example
    from schemas.claim_status import ClaimStatusRequest
    from schemas.claims import ClaimSubmission, example

    base, admin_key, partner_key = demo_server
    admin = {"Authorization": f"Bearer {admin_key}"}
    partner = {"Authorization": f"Bearer {partner_key}"}
    http = httpx.Client(base_url=base, timeout=60)

    def ok(response: httpx.Response, status: int = 200) -> dict:  # type: ignore[type-arg]
        assert response.status_code == status, response.text
        body: dict = response.json()  # type: ignore[type-arg]
        for name in ("x12", "x12Request"):
            if isinstance(body.get(name), str):
                assert parse(body[name].encode("latin-1")).errors == [], name
        return body

    # the demo files were stored for the demo partner
    assert ok(http.get("/v1/interchanges", headers=partner))["items"]

    # 1. the payer's back office loads its members
    load = admin_example(MemberLoad)
    member = load["members"][0]
    assert ok(http.post("/v1/admin/members", json=load, headers=admin))["loaded"] == 1

    # 2. the clinic checks eligibility, then asks what a visit will cost
    eligibility = ok(
        http.post(
            "/v1/eligibility",
            headers=partner,
            json={
                "controlNumber": "DAY0001",
                "tradingPartnerServiceId": load["payerId"],
                "provider": {"organizationName": "MAPLE STREET CLINIC", "npi": "1999999984"},
                "subscriber": {
                    "memberId": member["memberId"],
                    "firstName": member["firstName"],
                    "lastName": member["lastName"],
                    "dateOfBirth": member["dateOfBirth"],
                },
                "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2024-02-01"},
            },
        )
    )
    assert eligibility["planStatus"][0]["statusCode"] == "1" and eligibility["errors"] == []
    estimate = ok(
        http.get(
            f"/v1/eligibility/{eligibility['id']}/estimate",
            params={"procedureCode": "99213", "chargeAmount": "125"},
            headers=partner,
        )
    )
    assert Decimal(estimate["patientPays"]) + Decimal(estimate["planPays"]) == Decimal("125")
    assert estimate["steps"]  # the arithmetic, shown

    # 3. the visit is billed
    claim = example(ClaimSubmission)
    claim["claimInformation"]["patientControlNumber"] = "DAYPCN01"
    submitted = ok(http.post("/v1/claims", json=claim, headers=partner))
    claim_id = submitted["id"]
    assert "AK9*A" in submitted["acknowledgments"]["x12"]

    # 4. the clinic asks the claim's status: accepted, in process
    status_request = example(ClaimStatusRequest)
    status_request["subscriber"]["dateOfBirth"] = member["dateOfBirth"]
    status_request["encounter"]["patientControlNumber"] = "DAYPCN01"
    before = ok(http.post("/v1/claim-status", json=status_request, headers=partner))
    assert before["claims"][0]["claimStatus"][0]["statusCategoryCode"] == "A2"

    # 5. the payer pays it; the 835 goes out
    decided = ok(
        http.post(
            f"/v1/admin/claims/{claim_id}/decision",
            json=admin_example(ClaimDecision),
            headers=admin,
        )
    )
    assert decided["kind"] == "835"

    # 6. the clinic's status question now gets the payment
    after = ok(http.post("/v1/claim-status", json=status_request, headers=partner))
    assert after["claims"][0]["claimStatus"][0]["statusCategoryCode"] == "F1"

    # 7. the remittance, as JSON and as the 835 itself
    remittances = ok(http.get("/v1/remittances", params={"npi": "1999999984"}, headers=admin))
    [remittance] = [r for r in remittances["items"] if r["traceNumber"] == "00448812"]
    as_x12 = http.get(f"/v1/remittances/{remittance['id']}?format=x12", headers=admin)
    assert as_x12.status_code == 200 and parse(as_x12.content).errors == []
    assert b"CLP*DAYPCN01*1*125*80*20*" in as_x12.content

    # 8. the claim shows all of it: its 999, its 277CA, the status answers and the payment
    detail = ok(http.get(f"/v1/claims/{claim_id}", headers=partner))
    steps = [t["step"] for t in detail["timeline"]]
    assert steps[0] == "837P" and {"ack", "277", "835"} <= set(steps), steps
    by_step = {(t["step"], t["status"]) for t in detail["timeline"]}
    assert ("ack", "999,277CA") in by_step  # accepted by both
    assert {("277", "A2:20"), ("277", "F1:65"), ("835", "1")} <= by_step
    assert detail["payments"][0]["remittance"]["claims"][0]["paidAmount"] == "80"
