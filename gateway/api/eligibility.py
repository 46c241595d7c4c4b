"""Eligibility for practice-management systems: JSON in, 270 -> responder -> 271, JSON out."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.audit import AuditDep
from gateway.api.deps import DbDep, PrincipalDep, RowId, SessionDep, SettingsDep
from gateway.api.idempotency import IdempotentRoute
from gateway.api.problems import Problem
from gateway.api.visibility import may_read_set
from gateway.ingest import _allocate, ingest
from gateway.jsonapi.eligibility import request_to_records, responses_from_records
from gateway.responders.answer import answer_x12
from gateway.store import models as m
from gateway.store.records import load_records
from schemas.eligibility import EligibilityRequest
from transactions.eligibility import EligibilityPlugin
from transactions.eligibility.estimate import estimate, in_network
from transactions.emit import emit

router = APIRouter(prefix="/v1", tags=["eligibility"], route_class=IdempotentRoute)
PLUGIN = EligibilityPlugin()
GATEWAY_ID = ("ZZ", "X12GW")


async def _control(s: AsyncSession, sender: str) -> int:
    numbers = await _allocate(s, f"outbound:{sender}"[:20], 1)
    await s.commit()
    return next(numbers)


@router.post("/eligibility", summary="Check eligibility and benefits (JSON -> 270 -> 271 -> JSON)")
async def check_eligibility(
    request: EligibilityRequest,
    db: DbDep,
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    payer = ("ZZ", request.tradingPartnerServiceId[:15])
    inquiry = request_to_records(request)
    control = await _control(session, GATEWAY_ID[1])
    try:
        x12_270 = emit(
            PLUGIN,
            inquiry,
            guide="270",
            sender=GATEWAY_ID,
            receiver=payer,
            control=control,
        )
    except ValueError as exc:  # a value X12 cannot carry (a separator, a non-Latin-1 letter ...)
        raise Problem(
            422, "validation", "The request is not valid", "A value cannot be sent as X12"
        ) from exc
    stored_270 = await ingest(db, x12_270, source=m.Source.API, partner_id=principal.partner_id)
    reply = await answer_x12(
        db,
        x12_270,
        inquiry,
        "270",
        sender=GATEWAY_ID,
        receiver=payer,
        settings=settings,
        partner_id=principal.partner_id,
    )
    answer, x12_271 = reply.records, reply.x12
    responses = responses_from_records(answer)
    if not responses:
        raise Problem(502, "responder", "The responder gave no answer")
    body = responses[0].model_dump(mode="json", exclude_none=True)
    network = in_network(request.provider.npi, answer)
    body.update(
        id=reply.set_id,
        inquiryId=next((i for o in stored_270.interchanges for i in o.transaction_sets), None),
        inNetwork=network.inNetwork,
        inNetworkReason=network.reason,
        x12=x12_271.decode("latin-1"),
        x12Request=x12_270.decode("latin-1"),
    )
    await audit.read("transaction_set", [body.get("id"), body.get("inquiryId")])
    return body


@router.get(
    "/eligibility/{response_id}/estimate", summary="A patient cost estimate from a 271's benefits"
)
async def cost_estimate(
    response_id: RowId,
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
    charge_amount: str = Query(
        alias="chargeAmount", description="the provider's charge, e.g. 250.00"
    ),
    service_type_code: str = Query(default="30", alias="serviceTypeCode"),
    procedure_code: str | None = Query(default=None, alias="procedureCode"),
    in_network_only: bool = Query(default=True, alias="inNetwork"),
) -> dict[str, Any]:
    row = await session.get(m.TransactionSet, response_id)
    if row is None or row.kind != "271" or not await may_read_set(session, principal, response_id):
        raise Problem(404, "not-found", "Not found", f"No stored 271 #{response_id}")
    try:
        charge = Decimal(charge_amount)
    except InvalidOperation as exc:
        raise Problem(
            422, "validation", "The request is not valid", "chargeAmount is not an amount"
        ) from exc
    if charge < 0:
        raise Problem(422, "validation", "The request is not valid", "chargeAmount is negative")
    records = await load_records(session, response_id)
    await audit.read("transaction_set", [response_id])
    result = estimate(
        records,
        service_type_code,
        charge,
        procedure_code=procedure_code,
        in_network=in_network_only,
    )
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(result).items()}
