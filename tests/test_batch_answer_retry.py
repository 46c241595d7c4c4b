"""A batch 270 whose upstream fails for a passing reason is answered later by a job that
retries with backoff; a wrong answer or the last failed try waits for a person, with a
failed ``answer`` attempt on the interchange."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.jobs import run_worker
from gateway.settings import Settings, Upstream
from tests.api_support import ADMIN
from tests.test_upstream import (  # noqa: F401  (the fake payer's fixtures)
    FakePayer,
    configure,
    fake_payer,
    inquiry,
    payer,
)


def partner(client: httpx.AsyncClient) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {client.headers['x-test-partner-key']}",
        "Content-Type": "application/edi-x12",
    }


async def post(client: httpx.AsyncClient, control: int) -> dict[str, Any]:
    posted = await client.post(
        "/v1/interchanges", content=inquiry(control), headers=partner(client)
    )
    assert posted.status_code == 200, posted.text
    body: dict[str, Any] = posted.json()
    return body


async def answers(client: httpx.AsyncClient, interchange_id: int) -> list[dict[str, Any]]:
    got = await client.get(
        f"/v1/interchanges/{interchange_id}/attempts", headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert got.status_code == 200, got.text
    items = got.json()["items"] if isinstance(got.json(), dict) else got.json()
    return [a for a in items if a["kind"] == "answer"]


def worker_settings(client: httpx.AsyncClient, **changes: Any) -> Settings:
    app = client._transport.app  # type: ignore[attr-defined]
    settings: Settings = app.state.settings
    return settings.model_copy(update={"answer_backoff_seconds": 0, **changes})


async def test_answered_later_when_the_upstream_recovers(
    api_client: httpx.AsyncClient,
    api_database_url: str,
    payer: FakePayer,  # noqa: F811
) -> None:
    configure(api_client, BIGPAYER=Upstream(url=payer.url))
    payer.mode = "500"
    body = await post(api_client, 5101)
    interchange_id = body["interchanges"][0]["id"]
    assert body["responses"] == [
        {
            "requestTransactionSetId": body["interchanges"][0]["transactionSets"][0],
            "status": "retrying",
        }
    ]
    payer.mode = "271"
    await run_worker(api_database_url, wait=False, settings=worker_settings(api_client))
    outbox = await api_client.get("/v1/outbox?kind=271", headers=partner(api_client))
    assert outbox.status_code == 200, outbox.text
    [item] = outbox.json()["items"]
    x12 = await api_client.get(f"/v1/outbox/{item['id']}", headers=partner(api_client))
    assert x12.content == payer.answers[-1].rstrip(b"\r\n")  # the upstream's 271, for them
    assert [(a["outcome"], a["failure"]) for a in await answers(api_client, interchange_id)] == [
        ("retrying", "transient"),
        ("answered", None),
    ]


async def test_a_wrong_answer_waits_for_a_person(
    api_client: httpx.AsyncClient,
    payer: FakePayer,  # noqa: F811
) -> None:
    configure(api_client, BIGPAYER=Upstream(url=payer.url))
    payer.mode = "277"  # answers a 270 with a 277: asking again will not help
    body = await post(api_client, 5102)
    assert body.get("responses", []) == []
    [attempt] = await answers(api_client, body["interchanges"][0]["id"])
    assert (attempt["outcome"], attempt["failure"]) == ("failed", "permanent")


async def test_the_last_try_gives_up(
    api_client: httpx.AsyncClient,
    api_database_url: str,
    payer: FakePayer,  # noqa: F811
) -> None:
    configure(api_client, BIGPAYER=Upstream(url=payer.url))
    payer.mode = "500"
    body = await post(api_client, 5103)
    settings = worker_settings(api_client, answer_max_attempts=3)
    await run_worker(api_database_url, wait=False, settings=settings)
    outcomes = [
        (a["outcome"], a["failure"])
        for a in await answers(api_client, body["interchanges"][0]["id"])
    ]
    assert outcomes == [("retrying", "transient"), ("failed", "transient")]
    assert len(payer.received) == 1 + 3  # the first try in the request, then three by the job
