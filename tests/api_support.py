"""Shared fixtures for HTTP API tests: a migrated database per worker and module, and a client.

Registered for every test module by ``tests/conftest.py`` (``pytest_plugins``); import ``ADMIN``
for the admin key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from gateway.api.auth import create_partner_key
from gateway.app import create_app
from gateway.settings import Settings
from gateway.store.db import Database
from tests.db import fresh_database

ADMIN = "admin-secret-for-tests"


@pytest.fixture(scope="module")
def api_database_url(worker_id: str, request: pytest.FixtureRequest) -> str:
    return fresh_database(f"{worker_id}_{request.module.__name__.rsplit('.', 1)[-1]}"[:60])


@pytest.fixture
async def api_client(api_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an empty store; headers x-test-partner-key / x-test-other-key hold two partners' keys
    (bound to ISA senders ZZ:SUBMITTER and ZZ:SOMEONE); ADMIN is the admin key."""
    db = Database(api_database_url)
    async with db.session() as s:
        await s.execute(
            text(
                "TRUNCATE upload, partner, api_key, control_counter, idempotent_request "
                "RESTART IDENTITY CASCADE"
            )
        )
        await s.commit()
    settings = Settings(admin_key=ADMIN, database_url=api_database_url, max_upload_bytes=200_000)
    app = create_app(settings, db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        async with db.session() as s:
            _, key = await create_partner_key(s, "submitter", [("ZZ", "SUBMITTER")])
            _, other = await create_partner_key(s, "other", [("ZZ", "SOMEONE")])
            await s.commit()
        c.headers["x-test-partner-key"] = key
        c.headers["x-test-other-key"] = other
        yield c
    await db.dispose()
