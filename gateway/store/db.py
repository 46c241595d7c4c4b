"""Database connections: a PostgreSQL URL, or the embedded server (pgserver) when there is none."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

EMBEDDED_DATABASE = "x12gw"

#: PostgreSQL text (and JSONB) cannot hold U+0000, and X12 from the wire may carry NUL bytes
#: anywhere (an ISA13, a GS06, an element a finding quotes). The bytes themselves are kept
#: exactly in ``upload.raw`` (bytea); in text they are written as this stand-in, so a broken
#: file is stored and acknowledged instead of failing the insert.
NUL_STAND_IN = "\ufffd"


def without_nul(value: Any) -> Any:
    """``value`` with NUL in every string (also inside lists and dicts) replaced."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_STAND_IN) if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(v) for v in value)
    return value


#: ``\u0000`` as json.dumps writes a NUL, unless its backslash is itself escaped
_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def _json_dumps(value: Any) -> str:
    """JSON for JSONB columns, NUL written as the stand-in: one pass over the dumped text
    (JSONB is written for every set and finding; walking each value first cost more)."""
    text = json.dumps(value)
    if "\\u0000" in text:
        text = _JSON_NUL.sub(r"\1\\ufffd", text)
    return text


def _text_parameters(
    conn: Any,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    """Bound strings without NUL (``before_cursor_execute``); bytes are left alone."""
    if executemany and isinstance(parameters, list):
        return statement, [without_nul(p) for p in parameters]
    return statement, without_nul(parameters)


def async_url(url: str) -> str:
    """The same URL for SQLAlchemy's asyncpg driver."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def embedded_url(
    data_dir: Path,
    database: str = EMBEDDED_DATABASE,
    *,
    cleanup: Literal["stop", "delete"] | None = None,
) -> str:
    """Start (or join) the embedded PostgreSQL under ``data_dir`` and return a URL to ``database``.

    The gateway's own store keeps running after the process (``cleanup=None``: the next
    start joins it); scratch servers for tests and benchmarks pass ``"delete"`` so the
    server is stopped and its folder removed when the process exits."""
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode=cleanup)  # type: ignore[attr-defined]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    uri: str = server.get_uri(database)
    return uri


class Database:
    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            async_url(url), pool_size=pool_size, pool_pre_ping=True, json_serializer=_json_dumps
        )
        event.listen(
            self.engine.sync_engine, "before_cursor_execute", _text_parameters, retval=True
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
