"""Real-time claim status for practice-management systems: JSON in, 276 -> responder -> 277, JSON out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ConfigDict

from gateway.api.audit import AuditDep
from gateway.api.deps import DbDep, PrincipalDep, SessionDep, SettingsDep
from gateway.api.eligibility import GATEWAY_ID, _control
from gateway.api.idempotency import IdempotentRoute
from gateway.api.problems import Problem
from gateway.ingest import IngestResult, ingest
from gateway.jsonapi.claim_status import request_records, status_response
from gateway.responders.answer import answer_x12
from gateway.store import models as m
from parsers import parse
from schemas.claim_status import ClaimStatusRequest, ClaimStatusResponse
from schemas.claims import example
from transactions.claim_status import ClaimStatusPlugin
from transactions.emit import emit

router = APIRouter(prefix="/v1", tags=["claim status"], route_class=IdempotentRoute)
PLUGIN = ClaimStatusPlugin()


class ClaimStatusAnswer(ClaimStatusResponse):
    """The 277 as JSON, with the ids of the stored 277 and 276 and both as X12."""

    id: int | None = None
    requestId: int | None = None
    x12: str
    x12Request: str

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                **example(ClaimStatusResponse),
                "id": 42,
                "requestId": 41,
                "x12": "ISA*00*          *00*          *ZZ*77001 ...~",
                "x12Request": "ISA*00*          *00*          *ZZ*X12GW ...~",
            }
        }
    )


def _set_id(result: IngestResult) -> int | None:
    return next((i for o in result.interchanges for i in o.transaction_sets), None)


@router.post(
    "/claim-status",
    summary="Ask the status of a claim (JSON -> 276 -> 277 -> JSON)",
    response_model=ClaimStatusAnswer,
    response_model_exclude_none=True,
    responses={
        422: {"description": "The request is not valid (a problem document)"},
        502: {"description": "The responder gave no answer (a problem document)"},
        504: {"description": "The upstream trading partner did not answer in time"},
    },
)
async def claim_status(
    request: ClaimStatusRequest,
    db: DbDep,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    audit: AuditDep,
) -> dict[str, Any]:
    payer = ("ZZ", request.tradingPartnerServiceId[:15])
    inquiry = request_records(request)
    try:
        x12_276 = emit(
            PLUGIN,
            inquiry,
            guide="276",
            sender=GATEWAY_ID,
            receiver=payer,
            control=await _control(session, GATEWAY_ID[1]),
            st02=request.controlNumber.zfill(4),
        )
    except ValueError as exc:  # a value X12 cannot carry (a separator character ...)
        raise Problem(
            422, "validation", "The request is not valid", "A value cannot be sent as X12"
        ) from exc
    findings = parse(x12_276).errors
    if findings:  # what the schema lets through but the 276 guide does not (a DMG ...)
        raise Problem(
            422,
            "validation",
            "The request is not valid",
            "The 276 it makes breaks the 005010X212 guide",
            errors=[{"code": f.code, "message": f.message} for f in findings],
        )
    stored_276 = await ingest(db, x12_276, source=m.Source.API, partner_id=principal.partner_id)
    reply = await answer_x12(
        db,
        x12_276,
        inquiry,
        "276",
        sender=GATEWAY_ID,
        receiver=payer,
        settings=settings,
        partner_id=principal.partner_id,
    )
    x12_277 = reply.x12
    response = status_response(reply.records)
    if not response.claims:
        raise Problem(502, "responder", "The responder gave no answer")
    body = response.model_dump(mode="json", exclude_none=True)
    await audit.read("transaction_set", [reply.set_id, _set_id(stored_276)])  # the 277 and 276
    body.update(
        id=reply.set_id,
        requestId=_set_id(stored_276),
        x12=x12_277.decode("latin-1"),
        x12Request=x12_276.decode("latin-1"),
    )
    return body
