"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text

from gateway.api.deps import DbDep

router = APIRouter(tags=["operations"])

METRICS = CollectorRegistry()
REQUESTS = Histogram(
    "x12gw_request_seconds", "HTTP request latency", ["method", "route", "status"], registry=METRICS
)
INTERCHANGES = Counter(
    "x12gw_interchanges_total", "Interchanges stored", ["status"], registry=METRICS
)
TRANSACTION_SETS = Counter(
    "x12gw_transaction_sets_total", "Transaction sets stored", ["type", "status"], registry=METRICS
)


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable and its schema is current")
async def readyz(request: Request, db: DbDep) -> JSONResponse:
    head: str = request.app.state.migration_head
    try:
        async with db.session() as s:
            current = (await s.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except Exception as exc:  # any failure means not ready; the reason is an error class only
        return JSONResponse(
            {"status": "unavailable", "database": type(exc).__name__}, status_code=503
        )
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "migration": current, "expected": head}, status_code=503
        )
    return JSONResponse({"status": "ready", "migration": current})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(METRICS), media_type=CONTENT_TYPE_LATEST)
