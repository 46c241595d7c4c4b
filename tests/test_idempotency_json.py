"""``Idempotency-Key`` on the JSON submissions: the same key and body give the first answer
again (and store nothing more); the same key with another body is a 409."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from gateway.store import models as m
from gateway.store.db import Database
from schemas.admin import MemberLoad
from schemas.admin import example as admin_example
from schemas.claims import ClaimSubmission, example
from tests.api_support import ADMIN


async def count(url: str, model: Any) -> int:
    db = Database(url)
    async with db.session() as s:
        n = (await s.execute(select(func.count()).select_from(model))).scalar_one()
    await db.dispose()
    return int(n)


async def test_claims_and_members_are_submitted_once(
    api_client: httpx.AsyncClient, api_database_url: str
) -> None:
    client = api_client
    partner = {"Authorization": f"Bearer {client.headers['x-test-partner-key']}"}
    claim = example(ClaimSubmission)
    first = await client.post(
        "/v1/claims", json=claim, headers={**partner, "Idempotency-Key": "claim-1"}
    )
    assert first.status_code == 200, first.text
    uploads = await count(api_database_url, m.Upload)
    again = await client.post(
        "/v1/claims", json=claim, headers={**partner, "Idempotency-Key": "claim-1"}
    )
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await count(api_database_url, m.Upload) == uploads  # nothing stored twice

    other = {**claim, "controlNumber": "000000002"}
    reused = await client.post(
        "/v1/claims", json=other, headers={**partner, "Idempotency-Key": "claim-1"}
    )
    assert reused.status_code == 409
    assert reused.headers["content-type"] == "application/problem+json"
    # another credential's same key is its own
    admin = {"Authorization": f"Bearer {ADMIN}", "Idempotency-Key": "claim-1"}
    theirs = await client.post("/v1/claims", json=other, headers=admin)
    assert theirs.status_code == 200 and "idempotent-replayed" not in theirs.headers
    # without a key every post is new
    fresh = await client.post("/v1/claims", json=claim, headers=partner)
    assert fresh.status_code == 200 and fresh.json()["id"] != first.json()["id"]

    load = admin_example(MemberLoad)
    headers = {"Authorization": f"Bearer {ADMIN}", "Idempotency-Key": "members-2026-12"}
    loaded = await client.post("/v1/admin/members", json=load, headers=headers)
    assert loaded.status_code == 200, loaded.text
    stored = await count(api_database_url, m.TransactionSet)
    reloaded = await client.post("/v1/admin/members", json=load, headers=headers)
    assert reloaded.json() == loaded.json() and reloaded.headers["idempotent-replayed"] == "true"
    assert await count(api_database_url, m.TransactionSet) == stored
