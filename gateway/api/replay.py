"""Replay, corrections, attempt history and bulk replays, for operations engineers.

Replays and corrections change stored data and re-issue acknowledgments, so they are for
administrators; an interchange's attempt history is also readable by the partner that
owns it (as the interchange itself is).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway import replay as rp
from gateway.api.auth import Principal
from gateway.api.deps import AdminDep, DbDep, PrincipalDep, RowId, SessionDep, SettingsDep
from gateway.api.idempotency import idempotent
from gateway.api.interchanges import EXAMPLE_837
from gateway.api.problems import Problem
from gateway.api.visibility import may_read
from gateway.jobs import job_queue, submit_replay
from gateway.store import models as m

router = APIRouter(prefix="/v1", tags=["replay"])

_X12_TYPES = ("application/edi-x12", "text/plain", "application/x12", "application/octet-stream")

_RESULT_EXAMPLE: dict[str, Any] = {
    "interchangeId": 42,
    "attemptId": 7,
    "dryRun": False,
    "statusBefore": "parsed",
    "statusAfter": "parsed",
    "changed": True,
    "acknowledgmentsReissued": [],
    "acknowledgmentsWouldChange": False,
    "diff": [
        {
            "what": "transactionSet",
            "id": 57,
            "controlNumber": "0001",
            "type": "837P",
            "before": {"status": "failed", "error": "KeyError", "findings": 0, "records": 0},
            "after": {"status": "stored", "error": None, "findings": 0, "records": 9},
        }
    ],
    "versionOf": None,
}
_CORRECTION_EXAMPLE: dict[str, Any] = {
    **_RESULT_EXAMPLE,
    "interchangeId": 43,
    "newVersionId": 43,
    "versionOf": 42,
    "acknowledgmentsReissued": [12],
    "diff": [
        {
            "what": "segments",
            "op": "replace",
            "at": 27,
            "before": ["SE*30*0001"],
            "after": ["SE*25*0001"],
        },
        {"what": "status", "before": "rejected", "after": "parsed"},
    ],
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "Another replay of this interchange is running, or it is a duplicate or "
        "superseded (replay its original or newer version)"
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an administrator"},
    404: {"description": "No such interchange"},
    **_CONFLICT,
    503: {"description": "The database was unavailable; try again (Retry-After)"},
}


def _actor(principal: Principal) -> str:
    return principal.partner or principal.role


def _ok(result: rp.ReplayResult, status: int = 200) -> JSONResponse:
    return JSONResponse(result.public(), status_code=status)


async def _run(call: Any) -> rp.ReplayResult:
    """Replay errors as problems: 404 unknown, 409 conflict or not replayable, 422 a bad
    correction, 503 (with Retry-After) a transient failure."""
    try:
        result: rp.ReplayResult = await call
    except rp.ReplayNotFound as exc:
        raise Problem(404, "not-found", "Not found", str(exc)) from exc
    except rp.ReplayConflict as exc:
        raise Problem(409, "replay-in-progress", "Replay in progress", str(exc)) from exc
    except rp.BadCorrection as exc:
        raise Problem(422, "bad-correction", "Unusable correction", str(exc)) from exc
    except rp.ReplayError as exc:
        raise Problem(409, "not-replayable", "Cannot replay", str(exc)) from exc
    except Exception as exc:
        if rp.is_transient(exc):
            raise Problem(
                503,
                "temporarily-unavailable",
                "Temporarily unavailable",
                "The store was unavailable; the attempt is recorded. Try again.",
                retryAfter=5,
            ) from exc
        raise
    return result


@router.post(
    "/interchanges/{interchange_id}/replay",
    summary="Replay an interchange from its stored bytes with today's code (or ?dryRun=true)",
    description=(
        "Parses, validates and stores the interchange again from the raw bytes kept at "
        "ingest. The records of the earlier attempt are replaced in one transaction; "
        "acknowledgments are re-issued, with new control numbers, only when their content "
        "changed. With `dryRun=true` nothing is kept: the answer shows what would change."
    ),
    responses={200: {"content": {"application/json": {"example": _RESULT_EXAMPLE}}}, **_ERRORS},
)
async def post_replay(
    interchange_id: RowId,
    request: Request,
    db: DbDep,
    principal: AdminDep,
    settings: SettingsDep,
    dry_run: bool = Query(default=False, alias="dryRun", description="show, keep nothing"),
) -> JSONResponse:
    async def handle() -> JSONResponse:
        result = await _run(
            rp.replay(
                db,
                interchange_id,
                actor=_actor(principal),
                dry_run=dry_run,
                snip_level=settings.snip_level,
            )
        )
        return _ok(result)

    return await idempotent(request, db, principal, request.url.query.encode(), handle)


@router.post(
    "/interchanges/{interchange_id}/corrections",
    summary="Submit corrected X12 for an interchange: stored as a new version and replayed",
    description=(
        "The body is the whole corrected interchange (ISA to IEA). It is kept as a new "
        "upload and a new interchange linked to the original (`versionOf`), with a segment "
        "diff; the original's bytes are never altered, it becomes `superseded` and its "
        "normalized records are replaced by the new version's. `dryRun=true` keeps nothing."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/edi-x12": {"schema": {"type": "string"}, "example": EXAMPLE_837},
                "text/plain": {"schema": {"type": "string"}},
            },
            "required": True,
        }
    },
    status_code=201,
    responses={
        201: {"content": {"application/json": {"example": _CORRECTION_EXAMPLE}}},
        200: {"description": "A dry run: what the correction would change"},
        413: {"description": "Larger than the configured limit"},
        415: {"description": "Not X12 text"},
        422: {"description": "Not exactly one complete interchange, or no change"},
        **_ERRORS,
    },
)
async def post_correction(
    interchange_id: RowId,
    request: Request,
    db: DbDep,
    principal: AdminDep,
    settings: SettingsDep,
    dry_run: bool = Query(default=False, alias="dryRun", description="show, keep nothing"),
) -> JSONResponse:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in _X12_TYPES:
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the corrected interchange as application/edi-x12 or text/plain",
        )
    data = await request.body()
    if len(data) > settings.max_upload_bytes:
        raise Problem(
            413,
            "payload-too-large",
            "Payload too large",
            f"The limit is {settings.max_upload_bytes} bytes",
        )

    async def handle() -> JSONResponse:
        result = await _run(
            rp.correct(
                db,
                interchange_id,
                data,
                actor=_actor(principal),
                dry_run=dry_run,
                snip_level=settings.snip_level,
                content_type=content_type or None,
            )
        )
        body = {**result.public(), "newVersionId": None if dry_run else result.interchange_id}
        if dry_run:
            return JSONResponse(body)
        return JSONResponse(
            body,
            status_code=201,
            headers={"Location": f"/v1/interchanges/{result.interchange_id}"},
        )

    digest_input = request.url.query.encode() + b"\0" + data
    return await idempotent(request, db, principal, digest_input, handle)


@router.get(
    "/interchanges/{interchange_id}/attempts",
    summary="An interchange's attempts: ingest, replays, corrections (oldest first)",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "items": [
                            {
                                "id": 1,
                                "interchangeId": 42,
                                "kind": "ingest",
                                "actor": "partner:3",
                                "startedAt": "2026-01-05T10:00:00+00:00",
                                "finishedAt": "2026-01-05T10:00:00+00:00",
                                "outcome": "parsed",
                                "failure": None,
                                "error": None,
                                "findings": [{"code": "claim.total_mismatch", "count": 1}],
                                "transactionSets": [
                                    {
                                        "id": 57,
                                        "controlNumber": "0001",
                                        "type": "837P",
                                        "status": "failed",
                                        "error": "KeyError",
                                        "findings": 0,
                                        "records": 0,
                                    }
                                ],
                                "diff": [],
                                "acknowledgmentsReissued": [],
                            }
                        ]
                    }
                }
            }
        },
        404: {"description": "No such interchange (or not the caller's)"},
    },
)
async def get_attempts(
    interchange_id: RowId, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    row = await session.get(m.Interchange, interchange_id)
    if row is None or not await may_read(session, principal, row):
        raise Problem(404, "not-found", "Not found", f"No interchange #{interchange_id}")
    return {"items": [rp.attempt_json(a) for a in await rp.attempts(session, interchange_id)]}


class ReplayFilter(BaseModel):
    """Which interchanges a bulk replay takes (all given conditions hold)."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [{"status": "failed", "type": "837P", "receivedFrom": "2026-01-01"}]
        },
    )

    status: str | None = Field(
        default=None,
        max_length=16,
        description="interchange or transaction-set status, e.g. failed or rejected",
    )
    sender: str | None = Field(
        default=None, max_length=18, description="ISA06, or qualifier:ISA06 (ZZ:SUBMITTER)"
    )
    type: str | None = Field(default=None, max_length=8, description="ST01 (837) or guide (837P)")
    received_from: dt.datetime | dt.date | None = Field(default=None, alias="receivedFrom")
    received_to: dt.datetime | dt.date | None = Field(default=None, alias="receivedTo")
    finding_code: str | None = Field(default=None, max_length=80, alias="findingCode")

    def as_filter(self) -> dict[str, Any]:
        out = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        if not out:
            raise Problem(
                422, "empty-filter", "Empty filter", "Give at least one condition to replay by"
            )
        return out


@router.post(
    "/replays",
    summary="Replay every interchange a filter selects, as a background job",
    description=(
        "Answers 202 with a job to poll at `GET /v1/replays/{id}`. Interchanges are replayed "
        "oldest first; transient failures are retried with backoff, permanent ones are "
        "recorded as failed attempts and left for a person. Duplicates and superseded "
        "interchanges are skipped."
    ),
    status_code=202,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": ReplayFilter.model_json_schema(by_alias=True),
                    "example": {"status": "failed", "receivedFrom": "2026-01-01T00:00:00Z"},
                }
            },
            "required": True,
        }
    },
    responses={
        202: {
            "content": {
                "application/json": {
                    "example": {
                        "jobId": 3,
                        "status": "queued",
                        "links": {"job": "/v1/replays/3"},
                    }
                }
            }
        },
        403: {"description": "Not an administrator"},
        422: {"description": "An unknown or empty filter"},
    },
)
async def post_replays(
    request: Request, db: DbDep, principal: AdminDep, settings: SettingsDep
) -> JSONResponse:
    raw = await request.body()
    try:
        wanted = ReplayFilter.model_validate_json(raw or b"{}").as_filter()
    except ValidationError as exc:
        raise Problem(
            422,
            "invalid-filter",
            "Invalid filter",
            "See errors",
            errors=[
                {"location": ["body", *e["loc"]], "message": e["msg"], "type": e["type"]}
                for e in exc.errors(include_input=False)
            ],
        ) from exc

    async def handle() -> JSONResponse:
        queue = await job_queue(request)
        job_id = await submit_replay(
            queue, db, wanted, actor=_actor(principal), snip_level=settings.snip_level
        )
        return JSONResponse(
            {"jobId": job_id, "status": "queued", "links": {"job": f"/v1/replays/{job_id}"}},
            status_code=202,
            headers={"Location": f"/v1/replays/{job_id}"},
        )

    return await idempotent(request, db, principal, raw, handle)


@router.get(
    "/replays/{job_id}",
    summary="A bulk replay: progress and, when done, the interchanges it changed",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "id": 3,
                        "status": "running",
                        "filter": {"status": "failed"},
                        "actor": "admin",
                        "attempts": 1,
                        "progress": {"total": 120, "done": 45, "changed": 40, "failed": 1},
                        "result": {
                            "changed": [1, 2],
                            "failed": [9],
                            "conflicts": [],
                            "skipped": [],
                        },
                        "error": None,
                        "createdAt": "2026-01-05T10:00:00+00:00",
                        "updatedAt": "2026-01-05T10:00:09+00:00",
                    }
                }
            }
        },
        403: {"description": "Not an administrator"},
        404: {"description": "No such job"},
    },
)
async def get_replay_job(job_id: RowId, session: SessionDep, principal: AdminDep) -> dict[str, Any]:
    job = await session.get(m.ReplayJob, job_id)
    if job is None:
        raise Problem(404, "not-found", "Not found", f"No replay job #{job_id}")
    return rp.job_json(job)
