"""A real PostgreSQL for tests: TEST_DATABASE_URL when set, the embedded server when not.

Each pytest-xdist worker gets its own database, built by running the migrations.
"""

from __future__ import annotations

import asyncio
import functools
import os
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.store.connect import upgrade
from gateway.store.db import async_url, embedded_url


@functools.cache
def server_url() -> str:
    """A URL to a database we may create other databases from."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    # stopped and removed when the test process exits, so runs leave no server behind
    return embedded_url(
        Path(tempfile.mkdtemp(prefix="x12gw-pg-")), database="postgres", cleanup="delete"
    )


async def _recreate(admin_url: str, name: str) -> None:
    engine = create_async_engine(async_url(admin_url), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


def fresh_database(worker: str) -> str:
    """Create an empty database for this worker, migrate it, and return its URL."""
    admin = server_url()
    name = f"x12gw_test_{worker}"
    asyncio.run(_recreate(admin, name))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url
