"""POST /v1/claim-status: JSON -> 276 -> the built-in payer responder -> 277 -> JSON."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from gateway.api.claim_status import router
from parsers import parse
from schemas.claim_status import ClaimStatusRequest
from schemas.claims import ClaimSubmission, example
from tests.api_support import ADMIN
from tests.conftest import FIXTURES
from tests.test_rules import remit

PATH = "/v1/claim-status"


def _client(api_client: httpx.AsyncClient) -> httpx.AsyncClient:
    app = api_client._transport.app  # type: ignore[attr-defined]
    assert isinstance(app, FastAPI)
    if not any(getattr(r, "path", None) == PATH for r in app.routes):
        app.include_router(router)
    return api_client


def _key(client: httpx.AsyncClient, partner: bool = False) -> dict[str, str]:
    """The admin key (quick); the partner's (hashed with argon2, slow) where it matters."""
    key = client.headers["x-test-partner-key"] if partner else ADMIN
    return {"Authorization": f"Bearer {key}"}


async def _submit(client: httpx.AsyncClient, pcn: str, member: str) -> dict[str, Any]:
    claim = example(ClaimSubmission)
    claim["claimInformation"]["patientControlNumber"] = pcn
    claim["subscriber"]["memberId"] = member
    response = await client.post("/v1/claims", json=claim, headers=_key(client))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _request(pcn: str, member: str, **encounter: Any) -> dict[str, Any]:
    body = example(ClaimStatusRequest)
    body["subscriber"]["memberId"] = member
    body["encounter"]["patientControlNumber"] = pcn
    body["encounter"].update(encounter)
    return body


async def _ask(
    client: httpx.AsyncClient, body: dict[str, Any], partner: bool = False
) -> dict[str, Any]:
    response = await client.post(PATH, json=body, headers=_key(client, partner))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    for name, guide in (("x12", "277"), ("x12Request", "276")):
        doc = parse(answer[name].encode())
        assert doc.errors == [], [str(f) for f in doc.errors]
        assert [t.guide.name for t in doc.transactions if t.guide] == [guide]
    return answer


async def test_submitted_claim_is_accepted(api_client: httpx.AsyncClient) -> None:
    client = _client(api_client)
    await _submit(client, "CSACC1", "MEMACC1")
    body = _request("CSACC1", "MEMACC1", trackingNumber="TRK-ACC-1")
    answer = await _ask(client, body, partner=True)
    assert answer["id"] and answer["requestId"] and answer["controlNumber"].startswith("X12GW")
    assert answer["payer"]["payerIdentification"] == "77001"
    [claim] = answer["claims"]
    assert claim["trackingNumber"] == "TRK-ACC-1"
    assert claim["patientControlNumber"] == "CSACC1" and claim["payerClaimControlNumber"]
    assert claim["subscriber"]["memberId"] == "MEMACC1"
    assert claim["beginningDateOfService"] == "2024-02-01"
    [status] = claim["claimStatus"]
    assert (status["statusCategoryCode"], status["statusCode"]) == ("A2", "20")
    assert status["statusCodeValue"] == "Accepted for processing."
    assert status["submittedAmount"] == "125" and status["amountPaid"] == "0"
    assert "TRN*2*TRK-ACC-1~" in answer["x12"] and "REF*EJ*CSACC1~" in answer["x12"]
    assert "ZZ*77001" in answer["x12Request"].split("~")[0]


async def test_paid_claim_is_finalized_with_the_payment(api_client: httpx.AsyncClient) -> None:
    client = _client(api_client)
    await _submit(client, "CSPAID1", "MEMPAID1")
    payment = remit("80", "20").replace(b"CLP*A1*", b"CLP*CSPAID1*")
    payment = payment.replace(b"000000101", b"000000707")
    admin = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"}
    posted = await client.post("/v1/interchanges", content=payment, headers=admin)
    assert posted.status_code == 200, posted.text
    answer = await _ask(client, _request("CSPAID1", "MEMPAID1"))
    [claim] = answer["claims"]
    assert claim["payerClaimControlNumber"] == "PAYER0001"
    [status] = claim["claimStatus"]
    assert (status["statusCategoryCode"], status["statusCode"]) == ("F1", "65")
    assert status["amountPaid"] == "80" and status["submittedAmount"] == "100"
    assert status["checkNumber"] == "CHK0001" and status["paidDate"] == "2026-01-05"
    assert status["paymentMethodCode"] == "CHK"
    # asking by the payer's claim number alone finds the same claim
    by_payer_number = _request("CSPAID1", "MEMPAID1", payerClaimControlNumber="PAYER0001")
    del by_payer_number["encounter"]["patientControlNumber"]
    again = await _ask(client, by_payer_number)
    assert again["claims"][0]["claimStatus"][0]["statusCategoryCode"] == "F1"
    assert again["claims"][0]["patientControlNumber"] == "CSPAID1"


async def test_unknown_claim_is_not_found(api_client: httpx.AsyncClient) -> None:
    client = _client(api_client)
    await _submit(client, "CSKNOWN1", "MEMNF1")
    for pcn, member in (("CSNOPE1", "MEMNF1"), ("CSKNOWN1", "SOMEONEELSE")):
        answer = await _ask(client, _request(pcn, member))
        [claim] = answer["claims"]
        [status] = claim["claimStatus"]
        assert (status["statusCategoryCode"], status["statusCode"]) == ("A4", "35")
        assert status["statusCodeValue"] == "Claim/encounter not found."
        assert claim["patientControlNumber"] == pcn
    # the not-found answer the gateway stored is not taken for the claim's status later
    await _submit(client, "CSNOPE1", "MEMNF1")
    later = await _ask(client, _request("CSNOPE1", "MEMNF1"))
    assert later["claims"][0]["claimStatus"][0]["statusCategoryCode"] == "A2"


async def test_dependent_gets_a_2000e_level(api_client: httpx.AsyncClient) -> None:
    client = _client(api_client)
    body = _request("CSDEP1", "MEMDEP1")
    body["dependent"] = {"firstName": "Pip", "lastName": "Doe", "dateOfBirth": "2015-09-23"}
    answer = await _ask(client, body)
    segments = answer["x12"].split("~")
    assert any(s.startswith("HL*") and s.endswith("*23") for s in segments)
    assert any(s.startswith("NM1*QC*1*Doe*Pip") for s in segments)
    assert answer["claims"][0]["dependent"]["firstName"] == "Pip"


async def test_bad_request_is_a_problem(api_client: httpx.AsyncClient) -> None:
    client = _client(api_client)
    body = _request("CSBAD1", "MEMBAD1")
    del body["subscriber"]
    body["controlNumber"] = "12"
    response = await client.post(PATH, json=body, headers=_key(client))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/validation")
    locations = [e["location"] for e in problem["errors"]]
    assert ["body", "subscriber"] in locations and ["body", "controlNumber"] in locations
    separator = _request("CSBAD1", "MEMBAD1")
    separator["subscriber"]["lastName"] = "Doe*Smith"
    refused = await client.post(PATH, json=separator, headers=_key(client))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    unauthenticated = await client.post(PATH, json=_request("CSBAD1", "MEMBAD1"))
    assert unauthenticated.status_code == 401


async def test_payer_277_is_the_status_and_no_numbers_search_by_date(
    api_client: httpx.AsyncClient,
) -> None:
    client = _client(api_client)
    await _submit(client, "PCN0001", "NWH00012345")
    admin = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"}
    payer_277 = (FIXTURES / "277" / "claim-and-line-status.277").read_bytes()
    posted = await client.post("/v1/interchanges", content=payer_277, headers=admin)
    assert posted.status_code == 200, posted.text
    answer = await _ask(client, _request("PCN0001", "NWH00012345"))
    statuses = answer["claims"][0]["claimStatus"]
    assert [s["statusCategoryCode"] for s in statuses] == ["F1", "F1"]
    assert statuses[0]["checkNumber"] == "00448812" and statuses[0]["amountPaid"] == "185"
    assert answer["claims"][0]["payerClaimControlNumber"] == "2024071000123"
    # no 837 stored for this one: the payer's 277 answers when it names the member
    body = _request("PCN0002", "NWH00067890")
    body["dependent"] = {"firstName": "Pip", "lastName": "Brambleweed"}
    no_birth_date = await client.post(PATH, json=body, headers=_key(client))
    assert no_birth_date.status_code == 422  # the 276 needs the dependent's DMG
    assert no_birth_date.json()["errors"][0]["code"] == "segment.required_missing"
    body["dependent"]["dateOfBirth"] = "2015-09-23"
    answer = await _ask(client, body)
    assert answer["claims"][0]["claimStatus"][0]["statusCategoryCode"] == "P1"
    # neither claim number: the member's claims with a service date in the period
    by_date = _request("PCN0001", "NWH00012345")
    del by_date["encounter"]["patientControlNumber"]
    answer = await _ask(client, by_date)
    assert answer["claims"][0]["patientControlNumber"] == "PCN0001"
