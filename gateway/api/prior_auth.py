"""Prior authorization for practice-management systems: JSON in, 278 -> responder -> 278, JSON out.

The payer's precertification rules are read once when this module is imported
(``$X12GW_PRECERT_RULES`` or ``fixtures/precert-rules.json``): a bad rule file
stops the gateway at start with a message naming the file and its problems.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gateway.api.audit import AuditDep
from gateway.api.deps import DbDep, PrincipalDep, SessionDep, SettingsDep
from gateway.api.eligibility import GATEWAY_ID, _control
from gateway.api.idempotency import IdempotentRoute
from gateway.api.problems import Problem
from gateway.ingest import ingest
from gateway.jsonapi.prior_auth import request_to_records, response_from_records
from gateway.responders.answer import answer_x12
from gateway.responders.prior_auth import precert_rules, requirement
from gateway.store import models as m
from schemas.prior_auth import PrecertRequirement, PriorAuthRequest, PriorAuthResponse
from transactions.emit import emit
from transactions.prior_auth import PriorAuthPlugin

router = APIRouter(prefix="/v1", tags=["prior authorization"], route_class=IdempotentRoute)
PLUGIN = PriorAuthPlugin()
#: fail at start, not at the first request
RULES = precert_rules()

_CODE = r"^[A-Za-z0-9]{5}$"


@router.get(
    "/precert-requirements",
    summary="Whether a procedure needs precertification (prior authorization) by the payer's rules",
    response_model=PrecertRequirement,
    response_model_exclude_none=True,
)
async def precert_requirements(
    principal: PrincipalDep,
    procedure_code: Annotated[
        str, Query(alias="procedureCode", pattern=_CODE, description="CPT/HCPCS, e.g. 70551")
    ],
    service_type_code: Annotated[
        str | None,
        Query(alias="serviceTypeCode", pattern=r"^[A-Z0-9]{1,2}$", description="e.g. 62"),
    ] = None,
    place_of_service: Annotated[
        str | None, Query(alias="placeOfService", pattern=r"^\d{2}$", description="e.g. 11")
    ] = None,
) -> PrecertRequirement:
    return requirement(RULES, procedure_code.upper(), service_type_code, place_of_service)


@router.post(
    "/prior-auth",
    summary="Request prior authorization (JSON -> 278 request -> 278 response -> JSON)",
    response_model=PriorAuthResponse,
    response_model_exclude_none=True,
)
async def request_prior_auth(
    request: PriorAuthRequest,
    db: DbDep,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    audit: AuditDep,
) -> PriorAuthResponse:
    payer = ("ZZ", request.tradingPartnerServiceId[:15])
    records = request_to_records(request)
    try:
        x12_request = emit(
            PLUGIN,
            records,
            guide="278",
            sender=GATEWAY_ID,
            receiver=payer,
            control=await _control(session, GATEWAY_ID[1]),
        )
    except ValueError as exc:  # a value X12 cannot carry (a separator, a non-Latin-1 letter ...)
        raise Problem(
            422, "validation", "The request is not valid", "A value cannot be sent as X12"
        ) from exc
    stored_request = await ingest(
        db, x12_request, source=m.Source.API, partner_id=principal.partner_id
    )
    reply = await answer_x12(
        db,
        x12_request,
        records,
        "278",
        sender=GATEWAY_ID,
        receiver=payer,
        settings=settings,
        partner_id=principal.partner_id,
    )
    answer, x12_response = reply.records, reply.x12
    if not any(r.entity == "review" for r in answer):
        raise Problem(502, "responder", "The responder gave no answer")
    body = response_from_records(answer)
    body.id = reply.set_id
    body.requestId = _first_set(stored_request.interchanges)
    body.x12 = x12_response.decode("latin-1")
    body.x12Request = x12_request.decode("latin-1")
    await audit.read("transaction_set", [body.id, body.requestId])  # the 278 response, request
    return body


def _first_set(interchanges: list[Any]) -> int | None:
    return next((i for o in interchanges for i in o.transaction_sets), None)
