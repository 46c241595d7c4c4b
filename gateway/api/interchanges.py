"""X12 in and out, for clearinghouses: post batches, list and read what was stored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from gateway.api.audit import AuditDep
from gateway.api.body import read_stream, refuse_declared, too_large
from gateway.api.deps import MAX_ID, DbDep, PrincipalDep, RowId, SessionDep, SettingsDep
from gateway.api.idempotency import idempotent
from gateway.api.problems import Problem, problem_response
from gateway.api.visibility import may_read, readable
from gateway.batch import answer_requests
from gateway.emit import EmitError, emit_transaction
from gateway.ingest import default_registry, ingest, store_upload
from gateway.jobs import defer_answer, job_queue, submit
from gateway.store import models as m
from gateway.store.records import load_records

router = APIRouter(prefix="/v1", tags=["interchanges"])

X12_TYPES = ("application/edi-x12", "text/plain", "application/octet-stream", "application/x12")
_ISA = re.compile(rb"ISA(.)")

EXAMPLE_837 = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*"
    "000000101*0*T*:~GS*HC*SUBMITTER*RECEIVER*20260101*1200*1*X*005010X222A1~ST*837*0001*"
    "005010X222A1~...~SE*25*0001~GE*1*1~IEA*1*000000101~"
)


def isa_senders(data: bytes) -> list[tuple[str, str]]:
    """The (ISA05, ISA06) of every ISA header in ``data``, found without parsing the rest."""
    out = []
    for match in _ISA.finditer(data):
        sep = match.group(1)
        if sep.isalnum() or sep in b" \r\n":
            continue
        fields = data[match.start() : match.start() + 120].split(sep)
        if len(fields) > 6:
            out.append((fields[5].decode("latin-1").strip(), fields[6].decode("latin-1").strip()))
    return out


async def _body(request: Request, limit: int) -> tuple[bytes, str | None]:
    refuse_declared(request, limit)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    filename = None
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Problem(
                400, "bad-request", "Bad request", "Send the X12 in a form field named 'file'"
            )
        data = await upload.read()
        filename = upload.filename
    elif content_type in X12_TYPES or not content_type:
        data = await read_stream(request, limit)
    else:
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send application/edi-x12, text/plain or multipart/form-data",
        )
    if len(data) > limit:
        raise too_large(limit)
    return data, filename


def _interchange_json(row: m.Interchange) -> dict[str, Any]:
    return {
        "id": row.id,
        "receivedAt": row.received_at.isoformat() if row.received_at else None,
        "sender": {"qualifier": row.sender_qualifier, "id": row.sender_id},
        "receiver": {"qualifier": row.receiver_qualifier, "id": row.receiver_id},
        "controlNumber": row.control_number,
        "usage": row.usage,
        "status": row.status,
        "duplicateOf": row.duplicate_of_id,
        "findings": row.findings,
    }


async def _visible(
    session: SessionDep, principal: PrincipalDep, interchange_id: RowId
) -> m.Interchange:
    row = await session.get(m.Interchange, interchange_id)
    if row is None or not await may_read(session, principal, row):
        raise Problem(404, "not-found", "Not found", f"No interchange #{interchange_id}")
    return row


@router.post(
    "/interchanges",
    summary="Post a file of one or more interchanges",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/edi-x12": {"schema": {"type": "string"}, "example": EXAMPLE_837},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
            "required": True,
        }
    },
    responses={
        200: {"description": "Stored and acknowledged (TA1/999/277CA as X12 and JSON)"},
        403: {"description": "An ISA sender the key is not bound to"},
        413: {"description": "Larger than the configured limit"},
        422: {"description": "No interchange could be read; the bytes are kept"},
    },
)
async def post_interchanges(
    request: Request, db: DbDep, principal: PrincipalDep, settings: SettingsDep
) -> JSONResponse:
    data, filename = await _body(request, settings.max_upload_bytes)
    for qualifier, sender in isa_senders(data):
        if not principal.may_send_as(qualifier, sender):
            raise Problem(
                403,
                "sender-not-allowed",
                "Not allowed",
                "The key is not bound to an ISA sender of this file",
            )

    async def handle() -> JSONResponse:
        if len(data) > settings.async_threshold_bytes:
            return await _defer(request, db, settings, data, filename)
        return await _store(request, db, settings, data, filename)

    return await idempotent(request, db, principal, data, handle)


async def _defer(
    request: Request, db: DbDep, settings: SettingsDep, data: bytes, filename: str | None
) -> JSONResponse:
    """Large files: the bytes are stored now, a worker reads them; the answer is a job to poll."""
    upload_id = await store_upload(
        db,
        data,
        m.Source.UPLOAD,
        filename,
        request.headers.get("content-type"),
        getattr(request.state, "partner_id", None),
    )
    queue = await job_queue(request)
    job_id = await submit(queue, db, upload_id, len(data), settings.snip_level)
    return JSONResponse(
        {
            "jobId": job_id,
            "uploadId": upload_id,
            "status": "queued",
            "links": {"job": f"/v1/jobs/{job_id}"},
        },
        status_code=202,
        headers={"Location": f"/v1/jobs/{job_id}"},
    )


async def _store(
    request: Request, db: DbDep, settings: SettingsDep, data: bytes, filename: str | None
) -> JSONResponse:
    result = await ingest(
        db,
        data,
        source=m.Source.UPLOAD,
        filename=filename,
        content_type=request.headers.get("content-type"),
        snip_level=settings.snip_level,
        partner_id=getattr(request.state, "partner_id", None),
    )
    # batch 270/276/278: their answers go to the requester's outbox
    poster = getattr(request.state, "partner_id", None)

    async def later(interchange_id: int, set_id: int) -> None:
        await defer_answer(await job_queue(request), interchange_id, set_id, poster)

    responses = await answer_requests(db, result, partner_id=poster, settings=settings, defer=later)
    body = {
        "uploadId": result.upload_id,
        "interchanges": [
            {
                "id": o.id,
                "controlNumber": o.control_number,
                "status": o.status,
                "duplicateOf": o.duplicate_of,
                "transactionSets": o.transaction_sets,
            }
            for o in result.interchanges
        ],
        "acknowledgments": {"x12": result.acks.decode("latin-1"), **result.ack_summary},
        "findings": result.findings,
    }
    if responses:
        body["responses"] = responses
    if not result.interchanges:
        return problem_response(
            request,
            422,
            "no-interchange",
            "No interchange could be read",
            "The bytes were stored; see the findings.",
            **body,
        )
    return JSONResponse(body)


@router.get("/interchanges", summary="List interchanges (newest first, cursor pagination)")
async def list_interchanges(
    session: SessionDep,
    principal: PrincipalDep,
    status: str | None = None,
    sender: str | None = None,
    type: str | None = Query(default=None, description="ST01 or guide name, e.g. 837 or 837P"),
    control_number: str | None = Query(default=None, alias="controlNumber"),
    received_from: dt.datetime | None = Query(default=None, alias="receivedFrom"),
    received_to: dt.datetime | None = Query(default=None, alias="receivedTo"),
    cursor: int | None = Query(
        default=None, ge=1, le=MAX_ID, description="the nextCursor of the previous page"
    ),
    limit: int = Query(default=50, ge=1, le=500),
) -> dict[str, Any]:
    query = select(m.Interchange).order_by(m.Interchange.id.desc()).limit(limit + 1)
    query = query.where(readable(principal))
    if status:
        query = query.where(m.Interchange.status == status)
    if sender:
        query = query.where(m.Interchange.sender_id == sender)
    if control_number:
        query = query.where(m.Interchange.control_number == control_number)
    if received_from:
        query = query.where(m.Interchange.received_at >= received_from)
    if received_to:
        query = query.where(m.Interchange.received_at < received_to)
    if cursor:
        query = query.where(m.Interchange.id < cursor)
    if type:
        column = m.TransactionSet.kind if not type.isdigit() else m.TransactionSet.st01
        query = query.where(
            m.Interchange.id.in_(select(m.TransactionSet.interchange_id).where(column == type))
        )
    rows = (await session.execute(query)).scalars().all()
    page = rows[:limit]
    return {
        "items": [_interchange_json(r) for r in page],
        "nextCursor": page[-1].id if len(rows) > limit else None,
    }


@router.get("/interchanges/{interchange_id}", summary="An interchange: envelope, status, findings")
async def get_interchange(
    interchange_id: RowId, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    row = await _visible(session, principal, interchange_id)
    groups = (
        (
            await session.execute(
                select(m.FunctionalGroup).where(m.FunctionalGroup.interchange_id == row.id)
            )
        )
        .scalars()
        .all()
    )
    return {
        **_interchange_json(row),
        "groups": [
            {
                "id": g.id,
                "functionalId": g.functional_id,
                "controlNumber": g.control_number,
                "version": g.version,
                "findings": g.findings,
            }
            for g in groups
        ],
    }


@router.get(
    "/interchanges/{interchange_id}/raw",
    summary="The interchange's bytes exactly as received",
    response_class=Response,
    responses={200: {"content": {"application/edi-x12": {}}}},
)
async def get_raw(
    interchange_id: RowId, session: SessionDep, principal: PrincipalDep, audit: AuditDep
) -> Response:
    row = await _visible(session, principal, interchange_id)
    upload = await session.get(m.Upload, row.upload_id)
    assert upload is not None
    await audit.read("interchange", [row.id])
    return Response(upload.raw[row.start_offset : row.end_offset], media_type="application/edi-x12")


@router.get("/interchanges/{interchange_id}/acks", summary="The acknowledgments sent back")
async def get_acks(
    interchange_id: RowId, session: SessionDep, principal: PrincipalDep, audit: AuditDep
) -> dict[str, Any]:
    row = await _visible(session, principal, interchange_id)
    acks = (
        (
            await session.execute(
                select(m.Acknowledgment).where(m.Acknowledgment.interchange_id == row.id)
            )
        )
        .scalars()
        .all()
    )
    await audit.read("acknowledgment", [a.id for a in acks])  # a 277CA names patients
    return {
        "items": [
            {
                "id": a.id,
                "kinds": a.kinds.split(","),
                "x12": a.x12.decode("latin-1"),
                "summary": a.summary,
            }
            for a in acks
        ]
    }


def _set_json(t: m.TransactionSet) -> dict[str, Any]:
    return {
        "id": t.id,
        "interchangeId": t.interchange_id,
        "type": t.kind or t.st01,
        "guide": t.guide,
        "controlNumber": t.control_number,
        "status": t.status,
        "accepted": t.accepted,
        "error": t.error,
        "findings": t.findings,
        "byteRange": [t.start_offset, t.end_offset],
    }


@router.get(
    "/interchanges/{interchange_id}/transactions", summary="The interchange's transaction sets"
)
async def get_sets(
    interchange_id: RowId, session: SessionDep, principal: PrincipalDep, audit: AuditDep
) -> dict[str, Any]:
    row = await _visible(session, principal, interchange_id)
    sets = (
        (
            await session.execute(
                select(m.TransactionSet)
                .where(m.TransactionSet.interchange_id == row.id)
                .order_by(m.TransactionSet.id)
            )
        )
        .scalars()
        .all()
    )
    await audit.read("transaction_set", [t.id for t in sets])
    return {"items": [_set_json(t) for t in sets]}


@router.get(
    "/transactions/{set_id}",
    summary="A transaction set as normalized JSON (or ?format=x12 to emit it)",
    responses={
        200: {"content": {"application/json": {}, "application/edi-x12": {}}},
        409: {"description": "?format=x12: the stored records cannot be written back as X12"},
    },
)
async def get_transaction(
    set_id: RowId,
    session: SessionDep,
    principal: PrincipalDep,
    db: DbDep,
    audit: AuditDep,
    format: str = Query(default="json", pattern="^(json|x12)$"),
) -> Any:
    t = await session.get(m.TransactionSet, set_id)
    if t is None:
        raise Problem(404, "not-found", "Not found", f"No transaction set #{set_id}")
    await _visible(session, principal, t.interchange_id)
    await audit.read("transaction_set", [set_id])
    if format == "x12":
        try:
            x12 = await emit_transaction(db, set_id, default_registry())
        except EmitError as exc:
            raise Problem(409, "not-emittable", "Cannot emit", str(exc)) from exc
        return Response(x12, media_type="application/edi-x12")
    records = await load_records(session, set_id)
    return {
        **_set_json(t),
        "records": [
            {
                "entity": r.entity,
                "key": r.key,
                "parent": r.parent,
                "ordinal": r.ordinal,
                "fields": r.fields,
            }
            for r in records
        ],
    }


@router.get("/jobs/{job_id}", summary="A background job: progress and, when done, its result")
async def get_job(job_id: RowId, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    job = await session.get(m.IngestJob, job_id)
    if job is None:
        raise Problem(404, "not-found", "Not found", f"No job #{job_id}")
    upload = await session.get(m.Upload, job.upload_id)
    if upload is None or (
        not principal.is_admin
        and not any(principal.may_send_as(q, s) for q, s in isa_senders(upload.raw[:4096]))
    ):
        raise Problem(404, "not-found", "Not found", f"No job #{job_id}")
    return {
        "id": job.id,
        "uploadId": job.upload_id,
        "status": job.status,
        "attempts": job.attempts,
        "progress": {
            "bytesRead": job.bytes_read,
            "bytesTotal": job.bytes_total,
            "transactionSetsDone": job.sets_done,
            "transactionSetsFailed": job.sets_failed,
        },
        "result": job.result or None,
        "error": job.error,
    }
