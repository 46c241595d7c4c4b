"""Back-office endpoints: partners, members the built-in payer answers from, claim decisions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.api.admin import router
from parsers import parse
from schemas.admin import ClaimDecision, MemberLoad
from schemas.admin import example as admin_example
from schemas.claims import ClaimSubmission, example
from tests.api_support import ADMIN

ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
async def client(api_client: httpx.AsyncClient) -> httpx.AsyncClient:
    app: Any = api_client._transport.app  # type: ignore[attr-defined]
    if not any(getattr(r, "path", "").startswith("/v1/admin") for r in app.routes):
        app.include_router(router)
    return api_client


def partner(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.headers['x-test-partner-key']}"}


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def clean(x12: str) -> None:
    doc = parse(x12.encode("latin-1"))
    assert doc.errors == [], [f.code for f in doc.errors]
    assert doc.transactions


async def test_partner_created_and_its_key_works(client: httpx.AsyncClient) -> None:
    body = {"name": "maple-billing", "senders": [{"qualifier": "ZZ", "id": "MAPLEBILLING"}]}
    created = await client.post("/v1/admin/partners", json=body, headers=ADMIN_AUTH)
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["apiKey"].startswith("x12gw_") and made["senders"] == body["senders"]
    key = {"Authorization": f"Bearer {made['apiKey']}"}
    assert (await client.get("/v1/interchanges", headers=key)).status_code == 200
    listed = (await client.get("/v1/admin/partners", headers=ADMIN_AUTH)).json()
    names = {p["name"]: p for p in listed["items"]}
    assert names["maple-billing"]["activeKeys"] == 1 and "apiKey" not in names["maple-billing"]
    # a sender another partner holds
    taken = {"name": "intruder", "senders": [{"qualifier": "ZZ", "id": "SUBMITTER"}]}
    assert_problem(await client.post("/v1/admin/partners", json=taken, headers=ADMIN_AUTH), 409)
    # partners are not administrators
    assert_problem(await client.get("/v1/admin/partners", headers=key), 403)
    assert_problem(await client.post("/v1/admin/partners", json=body, headers=key), 403)
    assert_problem(await client.get("/v1/admin/partners"), 401)
    assert_problem(
        await client.post("/v1/admin/partners", json={"name": "x"}, headers=ADMIN_AUTH), 422
    )


async def test_members_answer_eligibility(client: httpx.AsyncClient) -> None:
    load = admin_example(MemberLoad)
    assert_problem(await client.post("/v1/admin/members", json=load, headers=partner(client)), 403)
    loaded = await client.post("/v1/admin/members", json=load, headers=ADMIN_AUTH)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["loaded"] == 1 and loaded.json()["items"][0]["transactionSetId"]
    member = load["members"][0]
    request = {
        "controlNumber": "PM-0042",
        "tradingPartnerServiceId": load["payerId"],
        "provider": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1234567893"},
        "subscriber": {
            "memberId": member["memberId"],
            "firstName": member["firstName"],
            "lastName": member["lastName"],
            "dateOfBirth": member["dateOfBirth"],
        },
        "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2024-06-01"},
    }
    answer = await client.post("/v1/eligibility", json=request, headers=partner(client))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    clean(body["x12"])
    assert body["controlNumber"] == "PM-0042" and body["errors"] == []
    assert body["subscriber"]["memberId"] == member["memberId"]
    assert body["planStatus"][0]["statusCode"] == "1"
    plan = body["planInformation"]
    assert plan["planType"] == "PR" and plan["groupNumber"] == "G12345" and plan["hsa"] is True
    assert plan["tpa"] == {"name": "HARBOR TPA", "phone": "8005550199"}
    deductible = next(b for b in body["benefitsInformation"] if b["code"] == "C")
    assert deductible["benefitAmount"] == "1500" and deductible["inPlanNetworkIndicatorCode"] == "Y"
    assert body["planDateInformation"]["planBegin"] == "2024-01-01"
    assert body["dependents"][0]["firstName"] == "JOHN"
    # a member the payer does not know: AAA 75
    request["subscriber"]["memberId"] = "NOSUCHMEMBER"
    unknown = await client.post("/v1/eligibility", json=request, headers=partner(client))
    assert unknown.status_code == 200, unknown.text
    assert any(e["code"] == "75" for e in unknown.json()["errors"])
    bad = {**load, "members": [{**member, "coverageEnd": "2023-01-01"}]}
    assert_problem(await client.post("/v1/admin/members", json=bad, headers=ADMIN_AUTH), 422)
    separator = {"code": "1", "message": "NOTE: A*B"}
    bad = {**load, "members": [{**member, "benefits": [separator]}]}
    refused = await client.post("/v1/admin/members", json=bad, headers=ADMIN_AUTH)
    assert_problem(refused, 422)
    assert "members[0]" in refused.json()["detail"]


async def submitted_claim(client: httpx.AsyncClient, pcn: str, control: str) -> int:
    claim = example(ClaimSubmission)
    claim["claimInformation"]["patientControlNumber"] = pcn
    claim["controlNumber"] = control
    submitted = await client.post("/v1/claims", json=claim, headers=partner(client))
    assert submitted.status_code == 200, submitted.text
    claim_id = submitted.json()["id"]
    assert isinstance(claim_id, int)
    return claim_id


async def test_paid_decision_shows_on_the_claim(client: httpx.AsyncClient) -> None:
    claim_id = await submitted_claim(client, "PAID0001", "1001")
    decision = admin_example(ClaimDecision)
    url = f"/v1/admin/claims/{claim_id}/decision"
    assert_problem(await client.post(url, json=decision, headers=partner(client)), 403)
    decided = await client.post(url, json=decision, headers=ADMIN_AUTH)
    assert decided.status_code == 200, decided.text
    result = decided.json()
    assert result["kind"] == "835" and result["transactionSetId"]
    clean(result["x12"])
    assert "CLP*PAID0001*1*125*80*20*" in result["x12"] and "BPR*I*80*C*CHK" in result["x12"]
    detail = (await client.get(f"/v1/claims/{claim_id}", headers=ADMIN_AUTH)).json()
    assert "835" in [t["step"] for t in detail["timeline"]]
    paid = detail["payments"][0]["remittance"]
    assert paid["payment"]["traceNumber"] == "00448812"
    remitted = paid["claims"][0]
    assert remitted["paidAmount"] == "80" and remitted["patientResponsibility"] == "20"
    assert {a["reasonCode"] for a in remitted["adjustments"]} == {"45", "2"}
    assert remitted["remarkCodes"][0]["code"] == "N520"
    # an unbalanced decision, an unknown claim
    unbalanced = {**decision, "paidAmount": "90"}
    assert_problem(await client.post(url, json=unbalanced, headers=ADMIN_AUTH), 422)
    assert_problem(
        await client.post("/v1/admin/claims/999999/decision", json=decision, headers=ADMIN_AUTH),
        404,
    )


async def test_denied_and_pended_decisions(client: httpx.AsyncClient) -> None:
    claim_id = await submitted_claim(client, "DENY0001", "1002")
    payer = admin_example(ClaimDecision)["payer"]
    denial = {
        "status": "denied",
        "adjustments": [{"groupCode": "CO", "reasonCode": "29", "amount": "125"}],
        "payer": payer,
    }
    url = f"/v1/admin/claims/{claim_id}/decision"
    denied = await client.post(url, json=denial, headers=ADMIN_AUTH)
    assert denied.status_code == 200, denied.text
    clean(denied.json()["x12"])
    assert "CLP*DENY0001*4*125*0*" in denied.json()["x12"]
    detail = (await client.get(f"/v1/claims/{claim_id}", headers=ADMIN_AUTH)).json()
    assert detail["payments"][0]["remittance"]["claims"][0]["claimStatusCode"] == "4"
    # no payer address anywhere: a problem, not a broken 835
    assert_problem(await client.post(url, json={**denial, "payer": None}, headers=ADMIN_AUTH), 422)

    pended_id = await submitted_claim(client, "PEND0001", "1003")
    pended = await client.post(
        f"/v1/admin/claims/{pended_id}/decision", json={"status": "pended"}, headers=ADMIN_AUTH
    )
    assert pended.status_code == 200, pended.text
    result = pended.json()
    assert result["kind"] == "277"
    clean(result["x12"])
    assert "STC*P1:20*" in result["x12"] and "REF*EJ*PEND0001" in result["x12"]
    detail = (await client.get(f"/v1/claims/{pended_id}", headers=ADMIN_AUTH)).json()
    statuses = [t for t in detail["timeline"] if t["step"] == "277"]
    assert statuses and statuses[0]["status"].startswith("P1:20")
