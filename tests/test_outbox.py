"""The partner outbox (acknowledgments, answers to batch requests, the payer's 835s) and
its HMAC-signed webhook deliveries, against a receiver started here on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from gateway.jobs import run_worker
from gateway.outbox import verify
from gateway.settings import Settings
from parsers import parse
from schemas.admin import ClaimDecision
from schemas.admin import example as admin_example
from schemas.claims import ClaimSubmission, example
from tests.api_support import ADMIN
from tests.conftest import FIXTURES
from tests.x12 import claim, file_837

ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN}"}
REQUEST_270 = (FIXTURES / "270" / "two-subscribers-with-dependent.270").read_bytes()
#: retries at once in tests (0 ** n seconds), three attempts in all; the admin key is the
#: API's, since webhook secrets are encrypted with a key derived from it
FAST = Settings(
    admin_key=ADMIN,
    webhook_backoff_seconds=0,
    webhook_max_attempts=3,
    webhook_timeout_seconds=5,
)


def auth(client: httpx.AsyncClient, which: str = "x-test-partner-key") -> dict[str, str]:
    return {"Authorization": f"Bearer {client.headers[which]}"}


def an_837(control: int, pcn: str = "OUT0001") -> bytes:
    number = f"{control:09d}".encode()
    return file_837([claim(pcn, ["100*99213"])]).replace(b"000000101", number)


def a_270(control: int) -> bytes:
    """The fixture 270, sent as the test partner's ISA sender."""
    data = REQUEST_270.replace(b"LAKESIDECLINIC ", b"SUBMITTER      ", 1)
    return data.replace(b"000003101", f"{control:09d}".encode())


async def post_x12(client: httpx.AsyncClient, data: bytes) -> dict[str, Any]:
    headers = {**auth(client), "Content-Type": "application/edi-x12"}
    posted = await client.post("/v1/interchanges", content=data, headers=headers)
    assert posted.status_code == 200, posted.text
    body: dict[str, Any] = posted.json()
    return body


async def outbox(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    listed = await client.get("/v1/outbox", params=params, headers=headers)
    assert listed.status_code == 200, listed.text
    body: dict[str, Any] = listed.json()
    return body


def isa_receiver(x12: bytes) -> str:
    return x12[:106].split(b"*")[8].decode().strip()


async def test_acks_go_to_the_senders_outbox_only(api_client: httpx.AsyncClient) -> None:
    await post_x12(api_client, an_837(201))
    mine = await outbox(api_client, auth(api_client))
    assert [i["kinds"] for i in mine["items"]] == [["999", "277CA"]]
    item = mine["items"][0]
    fetched = await api_client.get(item["links"]["x12"], headers=auth(api_client))
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "application/edi-x12"
    doc = parse(fetched.content)
    assert doc.errors == [] and [t.st01 for t in doc.transactions] == ["999", "277"]
    assert isa_receiver(fetched.content) == "SUBMITTER"
    assert fetched.content[:106].split(b"*")[13].decode() == item["controlNumber"]

    other = auth(api_client, "x-test-other-key")
    assert (await outbox(api_client, other))["items"] == []
    for response in (
        await api_client.get(f"/v1/outbox/{item['id']}", headers=other),
        await api_client.post(f"/v1/outbox/{item['id']}/ack", headers=other),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    refused = await api_client.get(
        "/v1/outbox", params={"partner": item["partnerId"]}, headers=other
    )
    assert refused.status_code == 403
    admin_view = await outbox(api_client, ADMIN_AUTH, partner=item["partnerId"])
    assert [i["id"] for i in admin_view["items"]] == [item["id"]]


async def test_cursor_and_collection(api_client: httpx.AsyncClient) -> None:
    me = auth(api_client)
    await post_x12(api_client, an_837(301))
    await post_x12(api_client, an_837(302))
    first = await outbox(api_client, me, limit=1)
    assert len(first["items"]) == 1 and first["hasMore"] is True
    both = await outbox(api_client, me)
    ids = [i["id"] for i in both["items"]]
    assert len(ids) == 2 and both["nextCursor"] == ids[-1] and both["hasMore"] is False
    assert first["nextCursor"] == ids[0]

    await post_x12(api_client, an_837(303))
    since = await outbox(api_client, me, cursor=both["nextCursor"])
    assert len(since["items"]) == 1 and since["items"][0]["id"] > ids[-1]
    nothing = await outbox(api_client, me, cursor=since["nextCursor"])
    assert nothing["items"] == [] and nothing["nextCursor"] == since["nextCursor"]

    acked = await api_client.post(f"/v1/outbox/{ids[0]}/ack", headers=me)
    assert acked.status_code == 200, acked.text
    assert acked.json()["collectedAt"] and acked.json()["collectedBy"] == "submitter"
    again = await api_client.post(f"/v1/outbox/{ids[0]}/ack", headers=me)
    assert again.json()["collectedAt"] == acked.json()["collectedAt"]
    new = [i["id"] for i in (await outbox(api_client, me))["items"]]
    assert ids[0] not in new and ids[1] in new
    collected = await outbox(api_client, me, status="collected")
    assert [i["id"] for i in collected["items"]] == [ids[0]]
    assert len((await outbox(api_client, me, status="all"))["items"]) == 3
    assert (await outbox(api_client, me, kind="835"))["items"] == []


async def test_a_batch_270_gets_its_271_in_the_outbox(api_client: httpx.AsyncClient) -> None:
    posted = await post_x12(api_client, a_270(401))
    assert [r["kind"] for r in posted["responses"]] == ["271"]
    items = (await outbox(api_client, auth(api_client)))["items"]
    assert sorted(i["kinds"][0] for i in items) == ["271", "999"]
    answer = next(i for i in items if i["kinds"] == ["271"])
    assert answer["id"] == posted["responses"][0]["outboxItemId"]
    x12 = (await api_client.get(answer["links"]["x12"], headers=auth(api_client))).content
    doc = parse(x12)
    assert doc.errors == [] and [t.st01 for t in doc.transactions] == ["271"]
    assert isa_receiver(x12) == "SUBMITTER"
    # nothing answered for the other partner
    assert (await outbox(api_client, auth(api_client, "x-test-other-key")))["items"] == []


async def test_a_large_batch_270_is_answered_by_the_job(
    api_client: httpx.AsyncClient, api_database_url: str
) -> None:
    app: Any = api_client._transport.app  # type: ignore[attr-defined]
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"async_threshold_bytes": 100})
    try:
        headers = {**auth(api_client), "Content-Type": "application/edi-x12"}
        posted = await api_client.post("/v1/interchanges", content=a_270(451), headers=headers)
        assert posted.status_code == 202, posted.text
        await run_worker(api_database_url, wait=False, settings=FAST)
    finally:
        app.state.settings = settings
    items = (await outbox(api_client, auth(api_client)))["items"]
    assert sorted(i["kinds"][0] for i in items) == ["271", "999"]


async def test_the_payers_835_goes_to_the_claims_submitter(api_client: httpx.AsyncClient) -> None:
    submission = example(ClaimSubmission)
    submission["claimInformation"]["patientControlNumber"] = "OUTPAID1"
    submitted = await api_client.post("/v1/claims", json=submission, headers=auth(api_client))
    assert submitted.status_code == 200, submitted.text
    url = f"/v1/admin/claims/{submitted.json()['id']}/decision"
    decided = await api_client.post(url, json=admin_example(ClaimDecision), headers=ADMIN_AUTH)
    assert decided.status_code == 200, decided.text
    items = (await outbox(api_client, auth(api_client), kind="835"))["items"]
    assert len(items) == 1 and items[0]["interchangeId"]
    x12 = (await api_client.get(items[0]["links"]["x12"], headers=auth(api_client))).text
    assert x12 == decided.json()["x12"]


# webhooks ---------------------------------------------------------------------------


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that answers with ``codes`` in turn (then 200)."""

    codes: list[int]
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(codes=[])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.received.append((dict(self.headers.items()), body))
            code = state.codes.pop(0) if state.codes else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/x12gw"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


async def partner_id(client: httpx.AsyncClient, name: str = "submitter") -> int:
    listed = await client.get("/v1/admin/partners", headers=ADMIN_AUTH)
    found: int = next(p["id"] for p in listed.json()["items"] if p["name"] == name)
    return found


async def set_webhook(client: httpx.AsyncClient, url: str, secret: str) -> None:
    path = f"/v1/partners/{await partner_id(client)}/webhook"
    body = {"url": url, "secret": secret}
    assert (await client.put(path, json=body, headers=auth(client))).status_code == 403
    put = await client.put(path, json=body, headers=ADMIN_AUTH)
    assert put.status_code == 200, put.text
    assert put.json()["secret"] == secret and put.json()["active"] is True


async def deliveries(client: httpx.AsyncClient, item_id: int) -> list[dict[str, Any]]:
    listed = await client.get(f"/v1/outbox/{item_id}/deliveries", headers=ADMIN_AUTH)
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def test_a_webhook_gets_a_signed_post(
    api_client: httpx.AsyncClient, api_database_url: str, receiver: Receiver
) -> None:
    secret = "a-shared-secret-of-the-partner"
    await set_webhook(api_client, receiver.url, secret)
    await post_x12(api_client, an_837(501))
    assert receiver.received == []  # delivered by a worker, not in the request

    await run_worker(api_database_url, wait=False, settings=FAST)

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verify(secret, body, headers)
    assert not verify("another-secret-entirely", body, headers)
    assert not verify(secret, body.replace(b"999", b"998"), headers)
    event = json.loads(body)
    item = (await outbox(api_client, auth(api_client)))["items"][0]
    assert event["type"] == "outbox.item" and event["item"]["id"] == item["id"]
    assert event["item"]["links"]["x12"] == f"/v1/outbox/{item['id']}"
    attempts = await deliveries(api_client, item["id"])
    assert [(a["attempt"], a["statusCode"], a["nextRetryAt"]) for a in attempts] == [(1, 200, None)]
    forbidden = await api_client.get(
        f"/v1/outbox/{item['id']}/deliveries", headers=auth(api_client)
    )
    assert forbidden.status_code == 403


async def test_failed_deliveries_are_retried_and_recorded(
    api_client: httpx.AsyncClient, api_database_url: str, receiver: Receiver
) -> None:
    secret = "a-shared-secret-of-the-partner"
    await set_webhook(api_client, receiver.url, secret)
    receiver.codes = [500, 500]  # then 200
    await post_x12(api_client, an_837(601))

    await run_worker(api_database_url, wait=False, settings=FAST)

    assert len(receiver.received) == 3
    assert all(verify(secret, body, headers) for headers, body in receiver.received)
    item = (await outbox(api_client, auth(api_client)))["items"][0]
    attempts = await deliveries(api_client, item["id"])
    assert [(a["attempt"], a["statusCode"], a["error"]) for a in attempts] == [
        (1, 500, "HTTP 500"),
        (2, 500, "HTTP 500"),
        (3, 200, None),
    ]
    assert [a["nextRetryAt"] is not None for a in attempts] == [True, True, False]

    # a receiver that keeps failing is given up on after webhook_max_attempts (3)
    receiver.codes = [503] * 10
    receiver.received.clear()
    await post_x12(api_client, an_837(602, pcn="OUT0002"))
    await run_worker(api_database_url, wait=False, settings=FAST)
    assert len(receiver.received) == 3
    newest = (await outbox(api_client, auth(api_client)))["items"][-1]
    attempts = await deliveries(api_client, newest["id"])
    assert [a["statusCode"] for a in attempts] == [503, 503, 503]
    assert attempts[-1]["nextRetryAt"] is None
