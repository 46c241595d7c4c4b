"""Claims and remittances for practice-management systems: JSON in and out, X12 behind it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select, text

from gateway.api.deps import DbDep, PrincipalDep, SessionDep
from gateway.api.eligibility import GATEWAY_ID, _control
from gateway.api.interchanges import may_read
from gateway.api.problems import Problem
from gateway.emit import EmitError, emit_transaction
from gateway.ingest import default_registry, ingest
from gateway.jsonapi.claims import claim_views, claim_x12
from gateway.jsonapi.remittance import remittance
from gateway.store import models as m
from gateway.store.records import load_records
from schemas.claims import ClaimSubmission
from transactions.records import Record

router = APIRouter(prefix="/v1", tags=["claims and remittances"])


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


@router.post("/claims", summary="Submit a claim as JSON (837P); answered with its 999 and 277CA")
async def submit_claim(
    claim: ClaimSubmission, db: DbDep, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    x12 = claim_x12(
        claim, sender=GATEWAY_ID, interchange_control=await _control(session, GATEWAY_ID[1])
    )
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
                    m.RecordRow.patient_control_number
                    == claim.claimInformation.patientControlNumber,
                )
            )
        ).scalar()
        claim_id = row
    summary = (
        result.ack_summary.get("interchanges", [{}])[0]
        if result.ack_summary.get("interchanges")
        else {}
    )
    return {
        "id": claim_id,
        "transactionSetId": set_id,
        "status": outcome.status if outcome else "rejected",
        "acknowledgments": {"x12": result.acks.decode("latin-1"), **summary},
        "x12": x12.decode("latin-1"),
    }


@router.get("/claims/{claim_id}", summary="A claim with its acknowledgments, statuses and payments")
async def get_claim(claim_id: int, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    row = await session.get(m.RecordRow, claim_id)
    if row is None or row.entity != "claim":
        raise Problem(404, "not-found", "Not found", f"No claim #{claim_id}")
    ic = await session.get(m.Interchange, row.interchange_id)
    if ic is None or not await may_read(session, principal, ic):
        raise Problem(404, "not-found", "Not found", f"No claim #{claim_id}")
    records = await load_records(session, row.transaction_set_id)
    views = claim_views(_claim_of(records, row.patient_control_number or ""))
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
    return {
        "id": claim_id,
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
    rows = (await session.execute(query)).scalars().all()
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
    responses={200: {"content": {"application/json": {}, "application/edi-x12": {}}}},
)
async def get_remittance(
    set_id: int,
    session: SessionDep,
    db: DbDep,
    principal: PrincipalDep,
    format: str = Query(default="json", pattern="^(json|x12)$"),
) -> Any:
    row = await session.get(m.TransactionSet, set_id)
    if row is None or row.kind != "835":
        raise Problem(404, "not-found", "Not found", f"No remittance #{set_id}")
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
