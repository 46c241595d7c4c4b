"""Alembic environment: async, PostgreSQL only, URL from the caller or the settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.store import audit, outbox  # noqa: F401  (their tables join Base.metadata)
from gateway.store.db import async_url
from gateway.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from gateway.store.connect import database_url

        url = database_url()
    return async_url(url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave the task queue's own tables (procrastinate_*) out of autogenerate."""
    table = getattr(obj, "table", obj)
    table_name = getattr(table, "name", name) or ""
    return not str(table_name).startswith("procrastinate_")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
