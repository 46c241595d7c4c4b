"""Claims and remittances for practice-management systems: JSON in and out, X12 behind it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import structlog
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select, text

from gateway.api.audit import AuditDep
from gateway.api.claim_examples import DENTAL_ANSWER, INSTITUTIONAL_ANSWER, answer
from gateway.api.deps import DbDep, PrincipalDep, RowId, SessionDep
from gateway.api.eligibility import GATEWAY_ID, _control
from gateway.api.idempotency import IdempotentRoute
from gateway.api.problems import Problem
from gateway.api.visibility import may_read, may_read_set, readable_ids
from gateway.emit import EmitError, emit_transaction
from gateway.ingest import default_registry, ingest
from gateway.jsonapi.claims import claim_views, claim_x12
from gateway.jsonapi.claims_dental import dental_views, dental_x12
from gateway.jsonapi.claims_institutional import institutional_views, institutional_x12
from gateway.jsonapi.remittance import remittance
from gateway.store import models as m
from gateway.store.records import load_records
from schemas.claims import ClaimSubmission
from schemas.claims_dental import DentalClaimSubmission
from schemas.claims_institutional import InstitutionalClaimSubmission
from transactions.records import Record

router = APIRouter(prefix="/v1", tags=["claims and remittances"], route_class=IdempotentRoute)
log = structlog.get_logger("x12gw.api.claims")


def _claim_of(records: list[Record], patient_control_number: str) -> list[Record]:
    """The records of the set that belong to one claim: the claim, its children, and its parties."""
    claim = next(
        (
            r
            for r in records
            if r.entity == "claim"
            and r.fields.get("patientControlNumber") == patient_control_number
        ),
        None,
    )
    if claim is None:
        return records
    keep = {claim.key}
    for r in records:
        if r.parent in keep or r.key.startswith(claim.key + "/"):
            keep.add(r.key)
    return [
        r
        for r in records
        if r.key in keep or (r.entity != "claim" and not r.key.startswith("claim:"))
    ]


@router.post(
    "/claims",
    summary="Submit a professional claim as JSON (837P); answered with its 999 and 277CA",
)
async def submit_claim(
    claim: ClaimSubmission,
    db: DbDep,
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
) -> dict[str, Any]:
    return await _submit(claim, claim_x12, db, session, principal, audit)


@router.post(
    "/claims/institutional",
    summary="Submit an institutional claim as JSON (837I); answered with its 999 and 277CA",
    responses=answer(INSTITUTIONAL_ANSWER),
)
async def submit_institutional_claim(
    claim: InstitutionalClaimSubmission,
    db: DbDep,
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
) -> dict[str, Any]:
    return await _submit(claim, institutional_x12, db, session, principal, audit)


@router.post(
    "/claims/dental",
    summary="Submit a dental claim or predetermination as JSON (837D); answered with its 999 and 277CA",
    responses=answer(DENTAL_ANSWER),
)
async def submit_dental_claim(
    claim: DentalClaimSubmission,
    db: DbDep,
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
) -> dict[str, Any]:
    return await _submit(claim, dental_x12, db, session, principal, audit)


async def _submit(
    claim: ClaimSubmission | InstitutionalClaimSubmission | DentalClaimSubmission,
    to_x12: Callable[..., bytes],
    db: DbDep,
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
) -> dict[str, Any]:
    """Write one claim as X12 with its kind's ``to_x12`` (from the gateway's ID, with the
    next interchange control number) and ingest it like an upload; its stored claim row
    and the acks."""
    x12 = to_x12(
        claim, sender=GATEWAY_ID, interchange_control=await _control(session, GATEWAY_ID[1])
    )
    patient_control_number = claim.claimInformation.patientControlNumber
    result = await ingest(db, x12, source=m.Source.API, partner_id=principal.partner_id)
    outcome = result.interchanges[0] if result.interchanges else None
    set_id = outcome.transaction_sets[0] if outcome and outcome.transaction_sets else None
    claim_id = None
    if set_id is not None:
        row = (
            await session.execute(
                select(m.RecordRow.id).where(
                    m.RecordRow.transaction_set_id == set_id,
                    m.RecordRow.entity == "claim",
                    m.RecordRow.patient_control_number == patient_control_number,
                )
            )
        ).scalar()
        claim_id = row
    summary = (
        result.ack_summary.get("interchanges", [{}])[0]
        if result.ack_summary.get("interchanges")
        else {}
    )
    await audit.read("claim", [claim_id] if claim_id is not None else [])
    return {
        "id": claim_id,
        "transactionSetId": set_id,
        "status": outcome.status if outcome else "rejected",
        "acknowledgments": {"x12": result.acks.decode("latin-1"), **summary},
        "x12": x12.decode("latin-1"),
    }


#: the claim type (as the submission endpoints name it) of each 837 guide
_CLAIM_TYPES = {"837P": "professional", "837I": "institutional", "837D": "dental"}


def _views(kind: str, records: list[Record]) -> list[BaseModel]:
    """The stored claim as the JSON view of its kind; none when it does not fit that model
    (a claim received as X12 may carry what the JSON models do not), so GET never fails on it."""
    builders: dict[str, Callable[[list[Record]], Sequence[BaseModel]]] = {
        "837I": institutional_views,
        "837D": dental_views,
    }
    try:
        return list(builders.get(kind, claim_views)(records))
    except ValidationError:
        log.info("claim_view_unavailable", kind=kind)
        return []


@router.get("/claims/{claim_id}", summary="A claim with its acknowledgments, statuses and payments")
async def get_claim(
    claim_id: RowId, session: SessionDep, principal: PrincipalDep, audit: AuditDep
) -> dict[str, Any]:
    row = await session.get(m.RecordRow, claim_id)
    if row is None or row.entity != "claim":
        raise Problem(404, "not-found", "Not found", f"No claim #{claim_id}")
    ic = await session.get(m.Interchange, row.interchange_id)
    if ic is None or not await may_read(session, principal, ic):
        raise Problem(404, "not-found", "Not found", f"No claim #{claim_id}")
    records = await load_records(session, row.transaction_set_id)
    ts = await session.get(m.TransactionSet, row.transaction_set_id)
    kind = (ts.kind if ts else None) or "837P"
    views = _views(kind, _claim_of(records, row.patient_control_number or ""))
    timeline = (
        await session.execute(
            text(
                "SELECT seq, step, record_id, transaction_set_id, at, status, amount "
                "FROM claim_timeline WHERE claim_record_id = :id ORDER BY seq, at"
            ),
            {"id": claim_id},
        )
    ).all()
    payments = []
    for step in timeline:
        if step.step == "835" and step.record_id:
            payment_records = await load_records(session, step.transaction_set_id)
            payments.append(
                {
                    "transactionSetId": step.transaction_set_id,
                    "remittance": remittance(payment_records).model_dump(
                        mode="json", exclude_none=True
                    ),
                }
            )
    await audit.read("claim", [claim_id])
    await audit.read("remittance", [p["transactionSetId"] for p in payments])
    return {
        "id": claim_id,
        "claimType": _CLAIM_TYPES.get(kind),
        "claim": views[0].model_dump(mode="json", exclude_none=True) if views else None,
        "timeline": [
            {
                "step": t.step,
                "at": t.at.isoformat() if t.at else None,
                "status": t.status,
                "amount": str(t.amount) if t.amount is not None else None,
                "transactionSetId": t.transaction_set_id,
            }
            for t in timeline
        ],
        "payments": payments,
    }


@router.get("/remittances", summary="Remittances (835), by payee NPI or TIN, trace number or date")
async def list_remittances(
    session: SessionDep,
    principal: PrincipalDep,
    audit: AuditDep,
    npi: str | None = None,
    tin: str | None = None,
    trace_number: str | None = Query(default=None, alias="traceNumber"),
    limit: int = Query(default=50, ge=1, le=500),
) -> dict[str, Any]:
    query = (
        select(m.RecordRow)
        .where(m.RecordRow.entity == "payment")
        .order_by(m.RecordRow.id.desc())
        .limit(limit)
    )
    if npi:
        query = query.where(m.RecordRow.npi == npi)
    if tin:
        query = query.where(m.RecordRow.tin == tin)
    if trace_number:
        query = query.where(m.RecordRow.trace_number == trace_number)
    if not principal.is_admin:
        query = query.where(m.RecordRow.interchange_id.in_(readable_ids(principal)))
    rows = (await session.execute(query)).scalars().all()
    await audit.read("remittance", [r.transaction_set_id for r in rows])
    return {
        "items": [
            {
                "id": r.transaction_set_id,
                "traceNumber": r.trace_number,
                "amount": str(r.amount) if r.amount is not None else None,
                "payeeNpi": r.npi,
                "payeeTin": r.tin,
            }
            for r in rows
        ]
    }


@router.get(
    "/remittances/{set_id}",
    summary="An 835 as JSON (payment, claims, lines, adjustments with CARC/RARC text); ?format=x12",
    responses={
        200: {"content": {"application/json": {}, "application/edi-x12": {}}},
        409: {"description": "?format=x12: the stored records cannot be written back as X12"},
    },
)
async def get_remittance(
    set_id: RowId,
    session: SessionDep,
    db: DbDep,
    principal: PrincipalDep,
    audit: AuditDep,
    format: str = Query(default="json", pattern="^(json|x12)$"),
) -> Any:
    row = await session.get(m.TransactionSet, set_id)
    if row is None or row.kind != "835" or not await may_read_set(session, principal, set_id):
        raise Problem(404, "not-found", "Not found", f"No remittance #{set_id}")
    await audit.read("remittance", [set_id])
    if format == "x12":
        try:
            return Response(
                await emit_transaction(db, set_id, default_registry()),
                media_type="application/edi-x12",
            )
        except EmitError as exc:
            raise Problem(409, "not-emittable", "Cannot emit", str(exc)) from exc
    records = await load_records(session, set_id)
    return remittance(records).model_dump(mode="json", exclude_none=True)
