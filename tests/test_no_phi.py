"""No PHI in logs, error messages or metrics: a posted name, member ID and birth date
appear in no log line, no problem body and no metric, whichever endpoint they went to
and whether the request succeeded or failed."""

from __future__ import annotations

import copy
import logging
from typing import Any

import httpx
import pytest

from schemas.claim_status import ClaimStatusRequest
from schemas.claims import ClaimSubmission, example
from schemas.prior_auth import PriorAuthRequest
from tests.api_support import ADMIN
from tests.conftest import FIXTURES

LAST, FIRST, MEMBER, BORN = "QUIXOTEPHI", "JANEPHI", "MEMBERPHI77", "1977-07-07"
PHI = (LAST, FIRST, MEMBER, BORN, BORN.replace("-", ""))
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def person(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["subscriber"].update(firstName=FIRST, lastName=LAST, memberId=MEMBER, dateOfBirth=BORN)
    return body


def eligibility() -> dict[str, Any]:
    return {
        "controlNumber": "123456789",
        "tradingPartnerServiceId": "77001",
        "provider": {"organizationName": "MAPLE STREET CLINIC", "npi": "1999999984"},
        "subscriber": {
            "memberId": MEMBER,
            "firstName": FIRST,
            "lastName": LAST,
            "dateOfBirth": BORN,
        },
        "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2024-02-01"},
    }


def model_example(model: Any) -> dict[str, Any]:
    return copy.deepcopy(model.model_config["json_schema_extra"]["example"])


async def test_no_phi_anywhere(
    api_client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = api_client
    answers: list[httpx.Response] = []

    async def post(url: str, **kwargs: Any) -> None:
        answers.append(
            await client.post(url, headers={**AUTH, **kwargs.pop("headers", {})}, **kwargs)
        )

    # accepted requests
    await post("/v1/eligibility", json=eligibility())
    await post("/v1/claims", json=person(example(ClaimSubmission)))
    await post("/v1/claim-status", json=person(example(ClaimStatusRequest)))
    await post("/v1/prior-auth", json=person(model_example(PriorAuthRequest)))
    inquiry = (FIXTURES / "270" / "two-subscribers-with-dependent.270").read_bytes()
    await post(
        "/v1/realtime",
        content=inquiry.replace(b"SHP123456789", MEMBER.encode()),
        headers={"Content-Type": "application/edi-x12"},
    )
    # refused ones: bad values beside the PHI
    bad = eligibility()
    bad["provider"]["npi"] = "1234567890"
    await post("/v1/eligibility", json=bad)
    bad = person(example(ClaimSubmission))
    bad["claimInformation"]["claimChargeAmount"] = "999"
    await post("/v1/claims", json=bad)
    bad = person(example(ClaimSubmission))
    bad["subscriber"]["dateOfBirth"] = "not-a-date " + LAST
    await post("/v1/claims", json=bad)
    await post(
        "/v1/eligibility",
        content=b'{"subscriber": {"lastName": "' + LAST.encode() + b'"',
        headers={"Content-Type": "application/json"},
    )
    broken = inquiry.replace(b"SHP123456789", MEMBER.encode()).replace(b"SE*35*", b"SE*9*")
    await post("/v1/realtime", content=broken, headers={"Content-Type": "application/edi-x12"})
    metrics = await client.get("/metrics")

    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [200] * 5, [a.text[:300] for a in answers[:5]]
    assert all(400 <= s < 500 for s in statuses[5:9]), (statuses, answers[5].text[:600])
    assert statuses[9] == 200  # a 999 reject, as X12
    logged = capsys.readouterr().out + "\n".join(r.getMessage() for r in caplog.records)
    assert '"event": "request"' in logged
    problems = [a.text for a in answers if a.status_code >= 400]
    for value in PHI:
        assert value not in logged, f"{value} in the logs"
        assert value not in metrics.text, f"{value} in the metrics"
        for body in problems:
            assert value not in body, f"{value} in a problem body: {body[:300]}"
