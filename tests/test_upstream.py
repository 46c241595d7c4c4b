"""Upstream responders: real-time requests addressed to a configured trading partner go there.

A fake payer (a small ASGI app served by uvicorn on 127.0.0.1, in a thread) records what it
receives and answers as each test tells it: a 271 built from the fixture, a slow answer,
garbage, an error status, the wrong transaction type, or a 999 / TA1 rejecting the request.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from pydantic import SecretStr, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from structlog.testing import capture_logs

from gateway.settings import Settings, Upstream
from parsers import parse
from tests.api_support import ADMIN
from tests.conftest import FIXTURES

REQUEST_270 = (FIXTURES / "270" / "two-subscribers-with-dependent.270").read_bytes()
ANSWER_271 = (FIXTURES / "271" / "hdhp-benefits-in-out-network-tpa.271").read_bytes()
WRONG_277 = (FIXTURES / "277" / "claim-and-line-status.277").read_bytes()
MEMBER = "SHP123456789"
TOKEN = "partner-token-for-tests"


def _isa(control: str) -> str:
    return (
        "ISA*00*          *00*          *ZZ*BIGPAYER       *ZZ*SUBMITTER      *260102*1020*^*"
        f"00501*{control}*0*P*:~"
    )


#: BIGPAYER's 999 rejecting the 270: a bad member ID (IK4 carries a copy of it, IK404)
REJECT_999 = (
    _isa("000009001") + "GS*FA*BIGPAYER*SUBMITTER*20260102*1020*9001*X*005010X231A1~"
    "ST*999*0001*005010X231A1~AK1*HS*3101*005010X279A1~AK2*270*0001*005010X279A1~"
    f"IK3*NM1*9*2100C*8~IK4*9*67*7*{MEMBER}~IK5*R*5~AK9*R*1*1*0~SE*8*0001~GE*1*9001~"
    "IEA*1*000009001~"
).encode()
#: BIGPAYER's TA1 rejecting the 270's interchange (note code 006: invalid sender ID)
REJECT_TA1 = (_isa("000009002") + "TA1*000003208*260102*1020*R*006~IEA*0*000009002~").encode()


@dataclass
class FakePayer:
    """What the fake payer does next (``mode``) and what it has received."""

    mode: str = "271"
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answers: list[bytes] = field(default_factory=list)
    released: bool = False
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(7001))
    url: str = ""

    def answer_271(self) -> bytes:
        """The fixture 271 from BIGPAYER, with a new control number each time."""
        n = next(self.numbers)
        return (
            ANSWER_271.replace(b"SUMMITHEALTH   ", b"BIGPAYER       ", 1)
            .replace(b"000004101", f"{n:09d}".encode())
            .replace(b"*4101*X*", f"*{n}*X*".encode())
            .replace(b"GE*1*4101~", f"GE*1*{n}~".encode())
        )

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        self.received.append((dict(request.headers), body))
        mode = self.mode  # a slow answer finishing later keeps to what was asked of it then
        if mode == "slow":
            for _ in range(100):  # until the test is over (or 5 s at most)
                if self.released:
                    break
                await asyncio.sleep(0.05)
        if mode in ("garbage", "slow"):
            return Response(b"<html>Service temporarily unavailable</html>", 200)
        if mode == "500":
            return Response(b"oops", 500)
        if mode == "277":
            return Response(WRONG_277, 200, media_type="application/edi-x12")
        if mode in ("999", "TA1"):
            return Response(REJECT_999 if mode == "999" else REJECT_TA1, 200)
        answer = self.answer_271()
        self.answers.append(answer)
        if mode == "core":
            return _core_answer(body, request.headers["content-type"], answer)
        return Response(answer, 200, media_type="application/edi-x12")


def _core_answer(body: bytes, content_type: str, answer: bytes) -> Response:
    fields = multipart_fields(content_type, body)
    assert fields["PayloadType"] == b"X12_270_Request_005010X279A1"
    parts = {
        "PayloadType": b"X12_271_Response_005010X279A1",
        "ProcessingMode": b"RealTime",
        "PayloadID": fields["PayloadID"],
        "CORERuleVersion": b"2.2.0",
        "ErrorCode": b"Success",
        "ErrorMessage": b"",
        "Payload": answer,
    }
    boundary = "fake-payer-boundary"
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in parts.items()
    ]
    return Response(
        b"".join(chunks) + f"--{boundary}--\r\n".encode(),
        200,
        media_type=f"multipart/form-data; boundary={boundary}",
    )


def multipart_fields(content_type: str, body: bytes) -> dict[str, bytes]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.message_from_bytes(head + body, policy=email.policy.HTTP)
    out = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        out[name] = payload
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def fake_payer() -> Iterator[FakePayer]:
    payer = FakePayer()
    app = Starlette(routes=[Route("/x12", payer.endpoint, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    assert server.started, "the fake payer did not start"
    payer.url = f"http://127.0.0.1:{port}/x12"
    yield payer
    payer.released = True
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def payer(fake_payer: FakePayer) -> Iterator[FakePayer]:
    fake_payer.mode = "271"
    fake_payer.received.clear()
    fake_payer.answers.clear()
    fake_payer.released = False
    yield fake_payer
    fake_payer.released = True  # a slow answer still waiting ends now, not in a later test


def configure(client: httpx.AsyncClient, timeout: float = 10, **upstreams: Upstream) -> None:
    """Point the app's settings at the given upstreams (read per request by the endpoints)."""
    app = client._transport.app  # type: ignore[attr-defined]
    settings: Settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"upstreams": upstreams, "upstream_timeout_seconds": timeout}
    )


@pytest.fixture
async def client(api_client: httpx.AsyncClient, payer: FakePayer) -> httpx.AsyncClient:
    configure(api_client, BIGPAYER=Upstream(url=payer.url, token=SecretStr(TOKEN)))
    return api_client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/edi-x12"}


def inquiry(control: int, receiver: bytes = b"BIGPAYER") -> bytes:
    """The fixture 270 from the test partner (SUBMITTER) to ``receiver``."""
    data = REQUEST_270.replace(b"LAKESIDECLINIC ", b"SUBMITTER      ", 1)
    data = data.replace(b"SUMMITHEALTH   ", receiver.ljust(15), 1)
    return data.replace(b"000003101", f"{control:09d}".encode())


def isa13(interchange: bytes) -> str:
    return interchange[90:99].decode()


async def interchanges(client: httpx.AsyncClient, **query: str) -> list[dict[str, object]]:
    listed = await client.get("/v1/interchanges", params=query, headers=bearer(ADMIN))
    assert listed.status_code == 200, listed.text
    items: list[dict[str, object]] = listed.json()["items"]
    return items


async def test_realtime_270_is_answered_by_the_upstream(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    key = client.headers["x-test-partner-key"]
    request = inquiry(3201)
    answer = await client.post("/v1/realtime", content=request, headers=bearer(key))
    assert answer.status_code == 200, answer.text
    assert answer.headers["x12-response-type"] == "271"
    # the payer got exactly the interchange sent, as X12, with its token
    ((headers, body),) = payer.received
    assert body == request
    assert headers["content-type"] == "application/edi-x12"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    # and the caller got exactly the payer's answer
    assert answer.content == payer.answers[0]
    # both sides are stored, and the partner may read them
    requests = await interchanges(client, type="270")
    responses = await interchanges(client, type="271")
    assert [i["controlNumber"] for i in requests] == ["000003201"]
    assert [i["controlNumber"] for i in responses] == [isa13(payer.answers[0])]
    stored = await client.get(f"/v1/interchanges/{responses[0]['id']}/raw", headers=bearer(key))
    assert stored.status_code == 200 and stored.content == payer.answers[0].strip()


async def test_other_receivers_are_answered_by_the_built_in_responder(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    key = client.headers["x-test-partner-key"]
    answer = await client.post(
        "/v1/realtime", content=inquiry(3202, b"SUMMITHEALTH"), headers=bearer(key)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x12-response-type"] == "271"
    assert payer.received == []
    assert answer.content.startswith(b"ISA*00*          *00*          *ZZ*SUMMITHEALTH   ")


async def test_eligibility_json_is_built_from_the_upstreams_271(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    key = client.headers["x-test-partner-key"]
    request = {
        "controlNumber": "PM-0001",
        "tradingPartnerServiceId": "BIGPAYER",
        "provider": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1738294614"},
        "subscriber": {"memberId": MEMBER, "firstName": "ADA", "lastName": "QUILLFEATHER"},
        "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2025-01-15"},
    }
    answer = await client.post(
        "/v1/eligibility", json=request, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    ((_, forwarded),) = payer.received
    assert forwarded == body["x12Request"].encode("latin-1")  # the 270 the gateway built
    (ts,) = parse(forwarded).transactions
    assert ts.st01 == "270" and b"*ZZ*BIGPAYER       *" in forwarded
    assert body["x12"].encode("latin-1") == payer.answers[0]
    # the JSON comes from the payer's 271 (its plan, its benefits), not from the store
    assert body["subscriber"]["memberId"] == MEMBER
    assert body["planStatus"] and body["benefitsInformation"]
    assert any(b.get("planCoverage") == "SUMMIT HDHP GOLD" for b in body["benefitsInformation"])
    stored = await client.get(f"/v1/transactions/{body['id']}", headers=bearer(ADMIN))
    assert stored.status_code == 200, stored.text
    responses = await interchanges(client, type="271")
    assert [i["controlNumber"] for i in responses] == [isa13(payer.answers[0])]
    assert len(await interchanges(client, type="270")) == 1


async def test_slow_upstream_is_a_504_and_the_request_is_kept(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    configure(client, timeout=0.2, BIGPAYER=Upstream(url=payer.url))
    payer.mode = "slow"
    key = client.headers["x-test-partner-key"]
    with capture_logs() as logs:
        answer = await client.post("/v1/realtime", content=inquiry(3203), headers=bearer(key))
    assert answer.status_code == 504, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/upstream-timeout")
    assert [i["controlNumber"] for i in await interchanges(client, type="270")] == ["000003203"]
    (failure,) = [e for e in logs if e["event"] == "upstream_failed"]
    assert failure["upstream"] == "BIGPAYER" and failure["reason"] == "timeout"
    assert MEMBER not in repr(logs)


async def test_claim_status_json_is_built_from_the_upstreams_277(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    from schemas.claim_status import ClaimStatusRequest
    from schemas.claims import example

    payer.mode = "277"
    key = client.headers["x-test-partner-key"]
    request = example(ClaimStatusRequest)
    request["tradingPartnerServiceId"] = "BIGPAYER"
    answer = await client.post(
        "/v1/claim-status", json=request, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    ((_, forwarded),) = payer.received
    assert forwarded == body["x12Request"].encode("latin-1")
    assert body["x12"].encode("latin-1") == WRONG_277
    statuses = body["claims"][0]["claimStatus"]
    assert [s["statusCategoryCode"] for s in statuses] == ["F1", "F1"]
    assert body["claims"][0]["payerClaimControlNumber"] == "2024071000123"
    assert len(await interchanges(client, type="277")) == 1


@pytest.mark.parametrize("mode", ["garbage", "500", "277"])
async def test_a_bad_answer_is_a_502_and_the_request_is_kept(
    client: httpx.AsyncClient, payer: FakePayer, mode: str
) -> None:
    payer.mode = mode
    key = client.headers["x-test-partner-key"]
    with capture_logs() as logs:
        answer = await client.post("/v1/realtime", content=inquiry(3204), headers=bearer(key))
    assert answer.status_code == 502, answer.text
    assert answer.json()["type"].endswith("/upstream")
    assert len(payer.received) == 1
    assert [i["controlNumber"] for i in await interchanges(client, type="270")] == ["000003204"]
    assert [e["event"] for e in logs].count("upstream_failed") == 1
    assert MEMBER not in repr(logs)


async def test_an_unreachable_upstream_is_a_502(client: httpx.AsyncClient) -> None:
    configure(client, BIGPAYER=Upstream(url=f"http://127.0.0.1:{free_port()}/x12"))
    key = client.headers["x-test-partner-key"]
    answer = await client.post("/v1/realtime", content=inquiry(3205), headers=bearer(key))
    assert answer.status_code == 502, answer.text
    assert answer.json()["type"].endswith("/upstream")
    assert len(await interchanges(client, type="270")) == 1


async def test_core_mode_sends_a_core_envelope(client: httpx.AsyncClient, payer: FakePayer) -> None:
    configure(client, BIGPAYER=Upstream(url=payer.url, mode="core"))
    payer.mode = "core"
    key = client.headers["x-test-partner-key"]
    request = inquiry(3206)
    answer = await client.post("/v1/realtime", content=request, headers=bearer(key))
    assert answer.status_code == 200, answer.text
    assert answer.content == payer.answers[0]
    ((headers, body),) = payer.received
    fields = multipart_fields(headers["content-type"], body)
    assert fields["Payload"] == request
    assert fields["ProcessingMode"] == b"RealTime" and fields["CORERuleVersion"] == b"2.2.0"
    assert fields["SenderID"] == b"SUBMITTER" and fields["ReceiverID"] == b"BIGPAYER"


def test_upstreams_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "X12GW_UPSTREAMS",
        '{"BIGPAYER": "https://payer.example/x12", '
        '"OTHER": {"url": "http://other.example/core", "token": "t", "mode": "core"}}',
    )
    monkeypatch.setenv("X12GW_UPSTREAM_TIMEOUT_SECONDS", "5")
    settings = Settings()
    assert settings.upstreams["BIGPAYER"] == Upstream(url="https://payer.example/x12")
    assert settings.upstreams["OTHER"].mode == "core"
    assert settings.upstream_timeout_seconds == 5
    with pytest.raises(ValidationError):
        Settings(upstreams={"BIGPAYER": "ftp://payer.example"})
    with pytest.raises(ValidationError):
        Settings(upstreams={"A-RECEIVER-ID-TOO-LONG": "https://payer.example"})
    with pytest.raises(ValidationError):
        Settings(upstream_timeout_seconds=0)


async def test_an_upstream_999_is_the_x12_callers_answer(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    payer.mode = "999"
    key = client.headers["x-test-partner-key"]
    with capture_logs() as logs:
        answer = await client.post("/v1/realtime", content=inquiry(3207), headers=bearer(key))
    assert answer.status_code == 200, answer.text
    assert answer.headers["x12-response-type"] == "999"
    assert answer.content == REJECT_999
    # both sides are stored
    assert [i["controlNumber"] for i in await interchanges(client, type="270")] == ["000003207"]
    assert [i["controlNumber"] for i in await interchanges(client, type="999")] == ["000009001"]
    assert "upstream_acknowledged" in [e["event"] for e in logs]
    assert MEMBER not in repr(logs)
    # over CORE: the 999's PayloadType
    core = await client.post(
        "/core/realtime",
        data={
            "PayloadType": "X12_270_Request_005010X279A1",
            "ProcessingMode": "RealTime",
            "PayloadID": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            "TimeStamp": "2026-01-02T10:20:34Z",
            "SenderID": "SUBMITTER",
            "ReceiverID": "BIGPAYER",
            "CORERuleVersion": "2.2.0",
        },
        files={"Payload": ("r", inquiry(3208))},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert core.status_code == 200, core.text
    fields = multipart_fields(core.headers["content-type"], core.content)
    assert fields["ErrorCode"] == b"Success"
    assert fields["PayloadType"] == b"X12_999_Response_005010X231A1"
    assert fields["Payload"] == REJECT_999


async def test_an_upstream_ta1_is_the_x12_callers_answer(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    payer.mode = "TA1"
    key = client.headers["x-test-partner-key"]
    answer = await client.post("/v1/realtime", content=inquiry(3209), headers=bearer(key))
    assert answer.status_code == 200, answer.text
    assert answer.headers["x12-response-type"] == "TA1"
    assert answer.content == REJECT_TA1


async def test_an_upstream_999_is_a_502_with_its_codes_for_json(
    client: httpx.AsyncClient, payer: FakePayer
) -> None:
    payer.mode = "999"
    key = client.headers["x-test-partner-key"]
    request = {
        "controlNumber": "PM-0002",
        "tradingPartnerServiceId": "BIGPAYER",
        "provider": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1738294614"},
        "subscriber": {"memberId": MEMBER, "firstName": "ADA", "lastName": "QUILLFEATHER"},
        "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2025-01-15"},
    }
    answer = await client.post(
        "/v1/eligibility", json=request, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 502, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"].endswith("/upstream-acknowledgment")
    assert body["upstream"] == "BIGPAYER"
    assert body["acknowledgment"] == {
        "kind": "999",
        "ta1": [],
        "transactionSets": [
            {
                "acknowledgmentCode": "R",
                "syntaxErrorCodes": ["5"],
                "segmentErrorCodes": ["8"],
                "elementErrorCodes": ["7"],
            }
        ],
        "functionalGroups": [{"acknowledgmentCode": "R", "syntaxErrorCodes": []}],
    }
    assert MEMBER not in answer.text  # codes only: IK404's copy of the bad data is left out
    # a TA1: its acknowledgment and note codes
    payer.mode = "TA1"
    request["controlNumber"] = "PM-0003"
    ta1 = await client.post(
        "/v1/eligibility", json=request, headers={"Authorization": f"Bearer {key}"}
    )
    assert ta1.status_code == 502, ta1.text
    assert ta1.json()["acknowledgment"] == {
        "kind": "TA1",
        "ta1": [{"acknowledgmentCode": "R", "noteCode": "006"}],
    }
