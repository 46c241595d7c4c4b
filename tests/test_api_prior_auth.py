"""Prior authorization API: JSON -> 278 request -> rule-set responder -> 278 response -> JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.api.prior_auth import router
from gateway.jsonapi.prior_auth import request_to_records, response_from_records
from gateway.responders.prior_auth import (
    DEFAULT_RULES,
    RULES_ENV,
    PrecertRulesError,
    answer_278,
    find_rule,
    load_precert_rules,
)
from gateway.store import models as m
from gateway.store.db import Database
from parsers import parse
from schemas.prior_auth import PriorAuthRequest
from transactions import rules as transaction_rules

ROOT = Path(__file__).resolve().parents[1]
EVENT = dt.date.today() + dt.timedelta(days=7)


def _client(api_client: httpx.AsyncClient) -> dict[str, str]:
    app = api_client._transport.app  # type: ignore[attr-defined]
    if not any(getattr(r, "path", "") == "/v1/prior-auth" for r in app.routes):
        app.include_router(router)
    return {"Authorization": f"Bearer {api_client.headers['x-test-partner-key']}"}


def _request(*codes: str, control: str = "PA-0001", **review: Any) -> dict[str, Any]:
    return {
        "controlNumber": control,
        "tradingPartnerServiceId": "87726",
        "tradingPartnerName": "EXAMPLE HEALTH PLAN",
        "requester": {"organizationName": "LAKESIDE IMAGING", "npi": "1293847566"},
        "subscriber": {
            "memberId": "XJH400112233",
            "firstName": "AVERY",
            "lastName": "QUINN",
            "dateOfBirth": "1970-04-12",
            "gender": "F",
        },
        "review": {
            "requestCategoryCode": "HS",
            "certificationTypeCode": "I",
            "serviceTypeCode": "62",
            "placeOfService": "22",
            "eventDate": EVENT.isoformat(),
            "diagnosisCodes": ["M5416"],
            **review,
        },
        "services": [{"procedureCode": c, "units": 1} for c in codes],
    }


def _clean(x12: str, guide: str, purpose: str) -> None:
    doc = parse(x12.encode("latin-1"), rules=transaction_rules.check)
    assert doc.errors == []
    (ts,) = doc.transactions
    assert ts.guide is not None and ts.guide.name == guide
    assert f"BHT*0007*{purpose}*" in x12


async def test_certified_mri(api_client: httpx.AsyncClient, api_database_url: str) -> None:
    auth = _client(api_client)
    response = await api_client.post("/v1/prior-auth", json=_request("70551"), headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "certified"
    assert body["precertificationRequired"] is True
    assert body["certificationNumber"].startswith("PA")
    assert body["validFrom"] == EVENT.isoformat()
    assert body["validTo"] == (EVENT + dt.timedelta(days=89)).isoformat()
    assert body["controlNumber"] == "PA-0001"
    assert body["id"] and body["requestId"] and body["id"] != body["requestId"]
    (service,) = body["services"]
    assert service["decision"] == "certified"
    assert service["actionCode"] == "A1"
    assert service["certificationNumber"] == body["certificationNumber"]
    assert service["units"] == "1"
    assert f"HCR*A1*{body['certificationNumber']}~" in body["x12"]
    _clean(body["x12"], "278R", "11")
    _clean(body["x12Request"], "278", "13")
    db = Database(api_database_url)
    async with db.session() as s:
        for set_id, kind in ((body["requestId"], "278"), (body["id"], "278R")):
            row = await s.get(m.TransactionSet, set_id)
            assert row is not None and row.status == m.Status.STORED
            assert row.kind == kind
    await db.dispose()


async def test_pended_denied_and_mixed(api_client: httpx.AsyncClient) -> None:
    auth = _client(api_client)
    request = _request("95810", control="PA-0002", serviceTypeCode="1", placeOfService="11")
    response = await api_client.post("/v1/prior-auth", json=request, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "pended"
    assert "certificationNumber" not in body
    assert body["services"][0]["decision"] == "pended"
    assert "HCR*A4*" in body["x12"]
    _clean(body["x12"], "278R", "11")

    request = _request("15780", control="PA-0003", serviceTypeCode="2")
    response = await api_client.post("/v1/prior-auth", json=request, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "denied"
    assert body["reasonCode"] == "82"
    (service,) = body["services"]
    assert (service["decision"], service["reasonCode"]) == ("denied", "82")
    assert "certificationNumber" not in service
    _clean(body["x12"], "278R", "11")

    request = _request("29881", "99213", "95810", control="PA-0004")
    request["patient"] = {"firstName": "ELLIOT", "lastName": "QUINN", "dateOfBirth": "2015-08-09"}
    response = await api_client.post("/v1/prior-auth", json=request, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "partially certified"
    decisions = {s["procedureCode"]: s for s in body["services"]}
    assert decisions["29881"]["decision"] == "certified"
    assert decisions["29881"]["certificationNumber"] == body["certificationNumber"]
    # no precertification needed: A1 in X12, said so in the JSON
    assert decisions["99213"]["actionCode"] == "A1"
    assert decisions["99213"]["precertificationRequired"] is False
    assert "certificationNumber" not in decisions["99213"]
    assert decisions["95810"]["decision"] == "pended"
    assert "HL*4*3*23*1~" in body["x12Request"]
    _clean(body["x12"], "278R", "11")
    _clean(body["x12Request"], "278", "13")


async def test_precert_requirements_and_bad_requests(api_client: httpx.AsyncClient) -> None:
    auth = _client(api_client)
    mri = await api_client.get("/v1/precert-requirements?procedureCode=70551", headers=auth)
    assert mri.status_code == 200, mri.text
    assert mri.json()["requiresPrecertification"] is True
    assert mri.json()["decisionWhenRequested"] == "certified"
    assert mri.json()["notes"]
    visit = await api_client.get(
        "/v1/precert-requirements",
        params={"procedureCode": "99213", "serviceTypeCode": "98"},
        headers=auth,
    )
    assert visit.status_code == 200
    assert visit.json()["requiresPrecertification"] is False
    assert visit.json()["procedureCode"] == "99213"
    unknown = await api_client.get("/v1/precert-requirements?procedureCode=J3490", headers=auth)
    assert unknown.json()["requiresPrecertification"] is False
    bad = await api_client.get("/v1/precert-requirements?procedureCode=7055", headers=auth)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    anonymous = await api_client.get("/v1/precert-requirements?procedureCode=70551")
    assert anonymous.status_code == 401

    # a bad request is a 422 problem
    request = _request("70551", control="PA-0005")
    request["requester"]["npi"] = "12345"
    request["services"] = []
    request["review"]["diagnosisCodes"] = ["M54.16*"]
    response = await api_client.post("/v1/prior-auth", json=request, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/validation")
    locations = {tuple(e["location"]) for e in problem["errors"]}
    assert ("body", "requester", "npi") in locations
    assert ("body", "services") in locations
    name = _request("70551")
    name["subscriber"]["lastName"] = "QUINN*~"
    response = await api_client.post("/v1/prior-auth", json=name, headers=auth)
    assert response.status_code == 422


# rule set -----------------------------------------------------------------------------


def test_rules_match_codes_ranges_and_conditions() -> None:
    rules = load_precert_rules(DEFAULT_RULES)
    assert find_rule(rules, "70552") is not None
    assert find_rule(rules, "70554") is None
    assert find_rule(rules, "9920F") is None
    assert find_rule(rules, "99206") is None
    rule = find_rule(rules, "99215")
    assert rule is not None and not rule.requiresPrecertification
    request = PriorAuthRequest.model_validate(_request("70551"))
    request.services[0].units = Decimal(3)
    records = request_to_records(request)
    answer = response_from_records(answer_278(records, rules, number="PA1"))
    assert answer.status == "partially certified"
    assert (answer.services[0].decision, answer.services[0].units) == ("modified", "1")
    visit = PriorAuthRequest.model_validate(_request("99213"))
    answer = response_from_records(answer_278(request_to_records(visit), rules))
    assert (answer.status, answer.actionCode) == ("certified", "A1")
    assert answer.precertificationRequired is False and answer.certificationNumber is None


def test_a_bad_rule_file_fails_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text(
        json.dumps(
            [
                {"procedureCodes": ["70553-70551"], "requiresPrecertification": True},
                {
                    "procedureCodes": ["15780"],
                    "requiresPrecertification": True,
                    "decision": "denied",
                },
                {"procedureCodes": ["72148"], "requiresPrecertification": "maybe"},
            ]
        )
    )
    with pytest.raises(PrecertRulesError) as info:
        load_precert_rules(bad)
    message = str(info.value)
    assert str(bad) in message
    assert "0.procedureCodes" in message
    assert "decisionReasonCode" in message
    assert "2.requiresPrecertification" in message
    with pytest.raises(PrecertRulesError, match="cannot read"):
        load_precert_rules(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(PrecertRulesError, match="not JSON"):
        load_precert_rules(tmp_path / "broken.json")
    # at start: importing the router reads the configured file
    started = subprocess.run(
        [sys.executable, "-c", "import gateway.api.prior_auth"],
        env={**os.environ, RULES_ENV: str(bad)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "PrecertRulesError" in started.stderr and str(bad) in started.stderr
