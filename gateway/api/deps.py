"""Dependencies: the session (the request owns commit/rollback), the settings, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.auth import Principal, authenticate
from gateway.api.problems import Problem
from gateway.settings import Settings
from gateway.store.db import Database


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(db: Annotated[Database, Depends(get_db)]) -> AsyncIterator[AsyncSession]:
    async with db.session() as session:
        yield session


async def get_principal(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Principal:
    principal = await authenticate(request, session, settings.admin_key)
    request.state.partner = principal.partner or principal.role
    request.state.partner_id = principal.partner_id
    return principal


def require_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if not principal.is_admin:
        raise Problem(403, "forbidden", "Not allowed", "This endpoint is for administrators")
    return principal


#: The largest row ID: IDs are PostgreSQL bigints, and a larger number would fail in the
#: driver (a 500) instead of simply matching no row. Every ID in a path or query is bounded.
MAX_ID = 2**63 - 1

#: A row ID in a path: 1 to :data:`MAX_ID`, else a 422 problem.
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]

DbDep = Annotated[Database, Depends(get_db)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
AdminDep = Annotated[Principal, Depends(require_admin)]
