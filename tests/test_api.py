"""The HTTP API on a real PostgreSQL, through httpx's ASGI transport."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from parsers import parse
from tests.api_support import ADMIN
from tests.x12 import claim, file_837

GOOD = file_837([claim("A1", ["100*99213"]), claim("A2", ["50*85025"])])


@pytest.fixture
async def client(api_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return api_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/edi-x12"}


async def test_health_ready_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    metrics = await client.get("/metrics")
    assert "x12gw_request_seconds" in metrics.text


async def test_post_stores_and_acknowledges(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    response = await client.post("/v1/interchanges", content=GOOD, headers=auth(key))
    assert response.status_code == 200, response.text
    body = response.json()
    ic = body["interchanges"][0]
    assert ic["status"] == "parsed" and len(ic["transactionSets"]) == 1
    acks = parse(body["acknowledgments"]["x12"].encode())
    assert acks.errors == [] and {t.guide.name for t in acks.transactions if t.guide} == {
        "999",
        "277CA",
    }
    raw = await client.get(f"/v1/interchanges/{ic['id']}/raw", headers=auth(key))
    assert raw.content == GOOD and raw.headers["content-type"].startswith("application/edi-x12")
    detail = (await client.get(f"/v1/interchanges/{ic['id']}", headers=auth(key))).json()
    assert detail["controlNumber"] == "000000101" and detail["groups"][0]["functionalId"] == "HC"
    sets = (await client.get(f"/v1/interchanges/{ic['id']}/transactions", headers=auth(key))).json()
    assert sets["items"][0]["type"] == "837P" and sets["items"][0]["status"] == "stored"
    set_id = sets["items"][0]["id"]
    records = (await client.get(f"/v1/transactions/{set_id}", headers=auth(key))).json()["records"]
    assert any(
        r["entity"] == "claim" and r["fields"]["patientControlNumber"] == "A1" for r in records
    )
    x12 = await client.get(f"/v1/transactions/{set_id}?format=x12", headers=auth(key))
    assert parse(x12.content).errors == []
    acks_list = (await client.get(f"/v1/interchanges/{ic['id']}/acks", headers=auth(key))).json()
    assert acks_list["items"][0]["kinds"] == ["999", "277CA"]


async def test_listing_is_filtered_and_paginated(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    for n in range(3):
        await client.post(
            "/v1/interchanges",
            content=GOOD.replace(b"000000101", f"00000020{n}".encode()),
            headers=auth(key),
        )
    page = (await client.get("/v1/interchanges?limit=2", headers=auth(key))).json()
    assert len(page["items"]) == 2 and page["nextCursor"]
    rest = (
        await client.get(f"/v1/interchanges?limit=2&cursor={page['nextCursor']}", headers=auth(key))
    ).json()
    assert len(rest["items"]) == 1 and rest["nextCursor"] is None
    typed = (
        await client.get("/v1/interchanges?type=837P&controlNumber=000000201", headers=auth(key))
    ).json()
    assert [i["controlNumber"] for i in typed["items"]] == ["000000201"]
    other = client.headers["x-test-other-key"]
    assert (await client.get("/v1/interchanges", headers=auth(other))).json()["items"] == []
    first = page["items"][0]["id"]
    missing = await client.get(f"/v1/interchanges/{first}", headers=auth(other))
    assert missing.status_code == 404


async def test_errors_are_problem_documents(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    unauthorized = await client.post("/v1/interchanges", content=GOOD)
    assert unauthorized.status_code == 401
    assert unauthorized.headers["content-type"] == "application/problem+json"
    assert unauthorized.json()["type"].endswith("/unauthorized")
    wrong_sender = await client.post(
        "/v1/interchanges", content=GOOD, headers=auth(client.headers["x-test-other-key"])
    )
    assert wrong_sender.status_code == 403 and wrong_sender.json()["type"].endswith(
        "/sender-not-allowed"
    )
    too_big = await client.post(
        "/v1/interchanges", content=GOOD * (200_000 // len(GOOD) + 1), headers=auth(key)
    )
    assert too_big.status_code == 413
    wrong_type = await client.post(
        "/v1/interchanges", content=b"{}", headers={**auth(key), "Content-Type": "application/json"}
    )
    assert wrong_type.status_code == 415
    garbage = await client.post("/v1/interchanges", content=b"\x00\x01 not x12", headers=auth(key))
    assert garbage.status_code == 422 and garbage.json()["uploadId"]
    assert {f["code"] for f in garbage.json()["findings"]} >= {"file.no_isa"}


async def test_malformed_x12_is_answered_with_acks_not_500(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    bad = GOOD.replace(b"SE*", b"SE*99*").replace(b"IEA*1*000000101", b"IEA*1*000000909")
    response = await client.post("/v1/interchanges", content=bad, headers=auth(key))
    assert response.status_code == 200
    acks = parse(response.json()["acknowledgments"]["x12"].encode())
    ta1 = [s for ic in acks.interchanges for s in ic.ta1s]
    assert ta1 and ta1[0].elements[4:6] == ["R", "001"]


async def test_multipart_upload(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    response = await client.post(
        "/v1/interchanges",
        files={"file": ("claims.837", GOOD, "application/edi-x12")},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text


async def test_no_phi_in_logs(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    key = client.headers["x-test-partner-key"]
    data = (
        GOOD.replace(b"DOE*JANE", b"QUIXOTEPHI*JANEPHI")
        .replace(b"MEM001", b"MEMBERPHI77")
        .replace(b"19800101", b"19770707")
    )
    await client.post(
        "/v1/interchanges", content=data.replace(b"SBR*P*18", b"SBR*Q*18"), headers=auth(key)
    )
    await client.get("/v1/interchanges?sender=SUBMITTER", headers=auth(key))
    logged = capsys.readouterr().out
    assert '"event": "request"' in logged
    for phi in ("QUIXOTEPHI", "JANEPHI", "MEMBERPHI77", "19770707"):
        assert phi not in logged


async def test_openapi_document_renders(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/interchanges" in spec["paths"]
    body = spec["paths"]["/v1/interchanges"]["post"]["requestBody"]["content"]
    assert "example" in body["application/edi-x12"]
    assert (await client.get("/docs")).status_code == 200
    _ = asyncio  # the module's tests are async


async def test_idempotency_key(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    headers = {**auth(key), "Idempotency-Key": "batch-2026-11-23-001"}
    first = await client.post("/v1/interchanges", content=GOOD, headers=headers)
    again = await client.post("/v1/interchanges", content=GOOD, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = GOOD.replace(b"CLM*A2*50", b"CLM*A2*51").replace(b"SV1*HC:85025*50", b"SV1*HC:85025*51")
    conflict = await client.post("/v1/interchanges", content=other, headers=headers)
    assert conflict.status_code == 409 and conflict.json()["type"].endswith(
        "/idempotency-key-reused"
    )


async def test_eligibility_json_answers_from_the_store(client: httpx.AsyncClient) -> None:
    from tests.conftest import FIXTURES

    admin = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"}
    stored = await client.post(
        "/v1/interchanges",
        content=(FIXTURES / "271" / "hdhp-benefits-in-out-network-tpa.271").read_bytes(),
        headers=admin,
    )
    assert stored.status_code == 200
    doc = parse((FIXTURES / "271" / "hdhp-benefits-in-out-network-tpa.271").read_bytes())
    ts = doc.transactions[0]
    assert ts.root is not None
    subscriber = next(ts.root.find("2100C")).first("NM1")
    assert subscriber is not None
    request = {
        "controlNumber": "PM-0001",
        "tradingPartnerServiceId": "SHP01",
        "provider": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1234567893"},
        "subscriber": {
            "memberId": subscriber.get(9),
            "firstName": subscriber.get(4),
            "lastName": subscriber.get(3),
            "dateOfBirth": "1985-04-12",
        },
        "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2025-06-01"},
    }
    key = client.headers["x-test-partner-key"]
    answer = await client.post(
        "/v1/eligibility", json=request, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["controlNumber"] == "PM-0001"
    assert body["benefitsInformation"] and body["planStatus"]
    assert (
        parse(body["x12"].encode()).errors == [] and parse(body["x12Request"].encode()).errors == []
    )
    estimate = await client.get(
        f"/v1/eligibility/{body['id']}/estimate?chargeAmount=2000&serviceTypeCode=30",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert estimate.status_code == 200, estimate.text
    figures = estimate.json()
    assert figures["steps"] and figures["patientPays"] and figures["planPays"]
    # a member the store does not know: AAA 75
    request["subscriber"]["memberId"] = "NOSUCHMEMBER"
    unknown = await client.post(
        "/v1/eligibility", json=request, headers={"Authorization": f"Bearer {key}"}
    )
    assert unknown.status_code == 200
    assert any(e["code"] == "75" for e in unknown.json()["errors"])
    bad = await client.post(
        "/v1/eligibility",
        json={**request, "provider": {"npi": "12"}},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


async def test_claim_json_then_payment_shows_on_the_claim(client: httpx.AsyncClient) -> None:
    from schemas.claims import ClaimSubmission, example
    from tests.test_rules import remit

    key = {"Authorization": f"Bearer {client.headers['x-test-partner-key']}"}
    claim_json = example(ClaimSubmission)
    submitted = await client.post("/v1/claims", json=claim_json, headers=key)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["id"] and body["status"] == "parsed"
    acks = parse(body["acknowledgments"]["x12"].encode())
    assert acks.errors == [] and {t.guide.name for t in acks.transactions if t.guide} == {
        "999",
        "277CA",
    }
    pcn = claim_json["claimInformation"]["patientControlNumber"]
    admin = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"}
    payment = (
        remit("80", "20")
        .replace(b"CLP*A1*", f"CLP*{pcn}*".encode())
        .replace(b"000000101", b"000000303")
    )
    assert (
        await client.post("/v1/interchanges", content=payment, headers=admin)
    ).status_code == 200
    detail = (
        await client.get(f"/v1/claims/{body['id']}", headers={"Authorization": f"Bearer {ADMIN}"})
    ).json()
    assert detail["claim"]["claimInformation"]["patientControlNumber"] == pcn
    steps = [t["step"] for t in detail["timeline"]]
    assert steps[0] == "837P" and "835" in steps
    assert detail["payments"][0]["remittance"]["claims"][0]["paidAmount"] == "80"
    listing = (
        await client.get(
            "/v1/remittances?traceNumber=CHK0001", headers={"Authorization": f"Bearer {ADMIN}"}
        )
    ).json()
    assert listing["items"]
    remit_id = listing["items"][0]["id"]
    as_json = (
        await client.get(
            f"/v1/remittances/{remit_id}", headers={"Authorization": f"Bearer {ADMIN}"}
        )
    ).json()
    reason = as_json["claims"][0]["serviceLines"][0]["adjustments"][0]
    assert reason["reasonCode"] == "45" and reason["reasonDescription"]
    as_x12 = await client.get(
        f"/v1/remittances/{remit_id}?format=x12", headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert parse(as_x12.content).errors == []
    bad = {
        **claim_json,
        "claimInformation": {**claim_json["claimInformation"], "claimChargeAmount": "1.00"},
    }
    refused = await client.post("/v1/claims", json=bad, headers=key)
    assert refused.status_code == 422
