"""The audit trail: reads of patient-level records and admin changes leave rows that name
IDs only (no PHI), only administrators read the trail, and the database keeps it
append-only.

The trail cannot be truncated between tests, so each test looks only at rows newer than
the ones it found when it started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gateway.store.db import Database
from schemas.claims import ClaimSubmission, example
from tests.api_support import ADMIN
from tests.test_api_core import envelope, inquiry, store_271
from tests.x12 import claim, file_837

ADMIN_AUTH = {"Authorization": f"Bearer {ADMIN}"}
# distinctive, fictional PHI: none of it may reach an audit row
LAST, FIRST, MEMBER, BIRTH = "QUIRINAVOX", "ZEBEDIAH", "AUDMEM778899", "19710203"
PHI = (LAST, FIRST, MEMBER, BIRTH, "1971-02-03")
FILE = (
    file_837([claim("PCN-AUD-1", ["100*99213"])])
    .replace(b"NM1*IL*1*DOE*JANE****MI*MEM001", f"NM1*IL*1*{LAST}*{FIRST}****MI*{MEMBER}".encode())
    .replace(b"DMG*D8*19800101*F", f"DMG*D8*{BIRTH}*F".encode())
)


@pytest.fixture
async def db(api_database_url: str) -> AsyncIterator[Database]:
    database = Database(api_database_url)
    yield database
    await database.dispose()


async def _last_id(db: Database) -> int:
    async with db.session() as s:
        return int((await s.execute(text("SELECT coalesce(max(id), 0) FROM audit_event"))).one()[0])


async def _rows_after(db: Database, after: int) -> list[dict[str, Any]]:
    """Each new row, plus its whole text as PostgreSQL renders it."""
    async with db.session() as s:
        result = await s.execute(
            text(
                "SELECT to_jsonb(a) AS row, to_jsonb(a)::text AS whole "
                "FROM audit_event a WHERE id > :after ORDER BY id"
            ),
            {"after": after},
        )
        return [{**r.row, "whole": r.whole} for r in result]


def partner(client: httpx.AsyncClient, header: str = "x-test-partner-key") -> dict[str, str]:
    return {"Authorization": f"Bearer {client.headers[header]}"}


async def _post(client: httpx.AsyncClient) -> tuple[int, int]:
    """Post FILE as the partner; the interchange and transaction set IDs."""
    headers = {**partner(client), "Content-Type": "application/edi-x12"}
    posted = await client.post("/v1/interchanges", content=FILE, headers=headers)
    assert posted.status_code == 200, posted.text
    ic = posted.json()["interchanges"][0]
    return ic["id"], ic["transactionSets"][0]


async def test_a_partner_reading_a_transaction_is_audited_without_phi(
    api_client: httpx.AsyncClient, db: Database
) -> None:
    interchange_id, set_id = await _post(api_client)
    before = await _last_id(db)
    read = await api_client.get(
        f"/v1/transactions/{set_id}", headers={**partner(api_client), "x-request-id": "req-aud-1"}
    )
    assert read.status_code == 200 and MEMBER in read.text  # the response does hold the PHI
    raw = await api_client.get(
        f"/v1/interchanges/{interchange_id}/raw", headers=partner(api_client)
    )
    assert raw.status_code == 200
    rows = await _rows_after(db, before)
    key_ids = await _partner_key_ids(db)
    (event,) = [r for r in rows if r["entity"] == "transaction_set"]
    assert event["actor"] == "submitter" and event["action"] == "read"
    assert event["endpoint"] == "GET /v1/transactions/{set_id}"
    assert event["record_ids"] == [set_id] and event["request_id"] == "req-aud-1"
    assert event["api_key_id"] in key_ids["submitter"]
    (raw_event,) = [r for r in rows if r["entity"] == "interchange"]
    assert raw_event["record_ids"] == [interchange_id]
    assert raw_event["endpoint"] == "GET /v1/interchanges/{interchange_id}/raw"
    for row in rows:
        for value in PHI:
            assert value not in row["whole"]


async def _partner_key_ids(db: Database) -> dict[str, set[int]]:
    async with db.session() as s:
        result = await s.execute(
            text("SELECT p.name, k.id FROM api_key k JOIN partner p ON p.id = k.partner_id")
        )
        out: dict[str, set[int]] = {}
        for name, key_id in result:
            out.setdefault(name, set()).add(key_id)
        return out


async def test_a_refused_read_is_not_recorded_as_a_read(
    api_client: httpx.AsyncClient, db: Database
) -> None:
    _, set_id = await _post(api_client)
    before = await _last_id(db)
    other = await api_client.get(
        f"/v1/transactions/{set_id}", headers=partner(api_client, "x-test-other-key")
    )
    assert other.status_code == 404
    assert await _rows_after(db, before) == []


async def test_claim_and_core_real_time_answers_are_audited(
    api_client: httpx.AsyncClient, db: Database
) -> None:
    await store_271(api_client)
    before = await _last_id(db)
    submitted = await api_client.post(
        "/v1/claims", json=example(ClaimSubmission), headers=partner(api_client)
    )
    assert submitted.status_code == 200, submitted.text
    claim_id = submitted.json()["id"]
    shown = await api_client.get(f"/v1/claims/{claim_id}", headers=partner(api_client))
    assert shown.status_code == 200, shown.text
    key = api_client.headers["x-test-partner-key"]
    answered = await api_client.post(  # the key as the envelope's Password, not a header
        "/core/realtime",
        data={**envelope("X12_270_Request_005010X279A1", "RealTime"), "Password": key},
        files={"Payload": ("request.270", inquiry(3901), "application/edi-x12")},
    )
    assert answered.status_code == 200 and b"Success" in answered.content
    rows = await _rows_after(db, before)
    claims = [r for r in rows if r["entity"] == "claim"]
    assert [r["endpoint"] for r in claims] == ["POST /v1/claims", "GET /v1/claims/{claim_id}"]
    assert all(r["record_ids"] == [claim_id] and r["actor"] == "submitter" for r in claims)
    (core,) = [r for r in rows if r["endpoint"] == "POST /core/realtime"]
    assert core["entity"] == "interchange" and len(core["record_ids"]) == 1
    assert core["api_key_id"] in (await _partner_key_ids(db))["submitter"]


async def test_an_admin_change_is_audited(api_client: httpx.AsyncClient, db: Database) -> None:
    before = await _last_id(db)
    body = {"name": "audited-partner", "senders": [{"qualifier": "ZZ", "id": "AUDITED"}]}
    created = await api_client.post("/v1/admin/partners", json=body, headers=ADMIN_AUTH)
    assert created.status_code == 201, created.text
    (event,) = await _rows_after(db, before)
    assert (event["actor"], event["action"], event["entity"]) == ("admin", "create", "partner")
    assert event["record_ids"] == [created.json()["id"]]
    assert event["endpoint"] == "POST /v1/admin/partners" and event["api_key_id"] is None
    assert "x12gw_" not in event["whole"]  # the new key is not in the trail either


async def test_the_trail_is_for_administrators_and_filters(
    api_client: httpx.AsyncClient, db: Database
) -> None:
    started = dt.datetime.now(dt.UTC)
    _, set_id = await _post(api_client)
    for _ in range(2):
        assert (
            await api_client.get(f"/v1/transactions/{set_id}", headers=partner(api_client))
        ).status_code == 200
    assert (await api_client.get("/v1/audit", headers=partner(api_client))).status_code == 403
    assert (await api_client.get("/v1/audit")).status_code == 401

    async def audit(**params: Any) -> dict[str, Any]:
        response = await api_client.get("/v1/audit", params=params, headers=ADMIN_AUTH)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    mine = {"recordId": str(set_id), "entity": "transaction_set", "from": started.isoformat()}
    found = await audit(**mine, actor="submitter", action="read")
    assert len(found["items"]) == 2 and found["nextCursor"] is None
    assert all(e["recordIds"] == [set_id] for e in found["items"])
    assert found["items"][0]["id"] > found["items"][1]["id"]  # newest first
    assert found["items"][0]["endpoint"] == "GET /v1/transactions/{set_id}"
    assert (await audit(**mine, actor="other"))["items"] == []
    assert (await audit(**mine, action="create"))["items"] == []
    assert (await audit(**{**mine, "entity": "claim"}))["items"] == []
    assert (await audit(recordId=str(set_id + 1000), entity="transaction_set"))["items"] == []
    assert (await audit(**{**mine, "to": started.isoformat()}))["items"] == []
    first = await audit(**mine, limit=1)
    assert len(first["items"]) == 1 and first["nextCursor"] == first["items"][0]["id"]
    rest = await audit(**mine, limit=1, cursor=first["nextCursor"])
    assert rest["items"][0]["id"] < first["items"][0]["id"]
    openapi = (await api_client.get("/openapi.json")).json()
    assert openapi["paths"]["/v1/audit"]["get"]["summary"]


async def test_the_database_refuses_to_change_or_remove_audit_rows(
    api_client: httpx.AsyncClient, db: Database
) -> None:
    _, set_id = await _post(api_client)
    assert (
        await api_client.get(f"/v1/transactions/{set_id}", headers=partner(api_client))
    ).status_code == 200
    for statement in (
        "UPDATE audit_event SET actor = 'someone-else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ):
        async with db.session() as s:
            with pytest.raises(DBAPIError, match="append-only"):
                await s.execute(text(statement))
    async with db.session() as s:
        left = (await s.execute(text("SELECT count(*) FROM audit_event"))).scalar_one()
    assert left >= 1
