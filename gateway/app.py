"""The FastAPI application: ``create_app()`` with a lifespan that opens the store."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from alembic.script import ScriptDirectory
from fastapi import FastAPI, Request, Response

from gateway import console, jobs, secretbox
from gateway import logging as gwlogging
from gateway.api import (
    admin,
    audit,
    claim_status,
    claims,
    core,
    eligibility,
    health,
    interchanges,
    outbox,
    prior_auth,
    problems,
    replay,
)
from gateway.api.openapi import install as install_openapi_examples
from gateway.settings import Settings, get_settings
from gateway.store.connect import alembic_config, database_url, upgrade
from gateway.store.db import Database
from gateway.timeouts import RequestTimeout

log = structlog.get_logger("x12gw.http")


def migration_head(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    return head or ""


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The app. With ``db`` given (tests), the lifespan does not open another store."""
    settings = settings or get_settings()
    gwlogging.configure()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = None
        if getattr(app.state, "db", None) is None:
            url = await asyncio.to_thread(database_url)
            if settings.migrate_on_start:
                await asyncio.to_thread(upgrade, url)
            owned = app.state.db = Database(url)
            app.state.migration_head = migration_head(url)
        worker = None
        if owned is not None and settings.embedded_worker:
            worker = asyncio.create_task(
                jobs.run_worker(owned.url, settings=settings), name="x12gw-embedded-worker"
            )
        log.info("started", demo=settings.demo, embedded_worker=worker is not None)
        secretbox.warn_if_derived(settings)
        try:
            yield
        finally:
            if worker is not None:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await worker
            queue = getattr(app.state, "job_queue", None)
            if queue is not None:
                await queue.close_async()
            if owned is not None:
                await owned.dispose()

    app = FastAPI(
        title="x12gw",
        version="0.1.0",
        summary="HIPAA 5010 X12 gateway: X12 batches in and out, acknowledgments, normalized data",
        lifespan=lifespan,
    )
    install_openapi_examples(app)
    app.state.settings = settings
    if db is not None:
        app.state.db = db
        app.state.migration_head = migration_head(db.url)
    problems.install(app)
    # inside the request middleware below, so its log line and metrics see the 504
    app.add_middleware(RequestTimeout, seconds=settings.request_timeout_seconds)
    app.include_router(health.router)
    app.include_router(interchanges.router)
    app.include_router(eligibility.router)
    app.include_router(claims.router)
    app.include_router(claim_status.router)
    app.include_router(prior_auth.router)
    app.include_router(admin.router)
    app.include_router(core.router)
    app.include_router(audit.router)
    app.include_router(console.router)
    app.include_router(outbox.router)
    app.include_router(replay.router)

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["x-request-id"] = request_id
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(request.scope.get("route"), "path", "unmatched")
            health.REQUESTS.labels(request.method, route, str(status)).observe(elapsed)
            # the route template, never the path or query: they may carry identifiers
            log.info(
                "request",
                method=request.method,
                route=route,
                status=status,
                ms=round(elapsed * 1000, 1),
                partner=getattr(request.state, "partner", None),
            )
            structlog.contextvars.clear_contextvars()

    return app
