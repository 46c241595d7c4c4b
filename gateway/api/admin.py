"""Back-office endpoints (admin key only) that let the built-in payer answer.

* partners: create one (its API key is shown once) and list them;
* members: load the payer's members with their plans and benefits; each becomes a stored
  271 (source API) that ``POST /v1/eligibility`` answers from;
* claim decisions: the payer's answer to a stored claim, as an 835 (paid, denied) or a
  277 (pended) stored like any other, so the claim's timeline and payments show it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, status
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.audit import AuditDep
from gateway.api.auth import create_partner_key
from gateway.api.deps import AdminDep, DbDep, RowId, SessionDep
from gateway.api.eligibility import GATEWAY_ID, _control
from gateway.api.idempotency import IdempotentRoute
from gateway.api.problems import Problem
from gateway.ingest import IngestResult, ingest
from gateway.jsonapi.eligibility import response_to_records
from gateway.outbox import place_stored_set, submitter_of
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import load_records
from schemas.admin import (
    ClaimDecision,
    DecisionResult,
    MemberBenefit,
    MemberLoad,
    MemberLoadResult,
    MemberPlan,
    PartnerCreate,
    PartnerCreated,
    PartnerList,
    PartnerView,
    SenderId,
)
from schemas.claims import Address
from schemas.eligibility import (
    Benefit,
    Contact,
    DateInformation,
    EligibilityResponse,
    Message,
    Payer,
    PlanInformation,
    RelatedEntity,
    ResponseDependent,
    ResponseProvider,
    ResponseSubscriber,
)
from transactions.claim_status import ClaimStatusPlugin
from transactions.eligibility import EligibilityPlugin
from transactions.emit import emit
from transactions.records import Record, money
from transactions.registry import TransactionPlugin
from transactions.remittance_plugin import RemittancePlugin

router = APIRouter(prefix="/v1/admin", tags=["administration"], route_class=IdempotentRoute)

ELIGIBILITY = EligibilityPlugin()
REMITTANCE = RemittancePlugin()
CLAIM_STATUS = ClaimStatusPlugin()
PLAN_STATUS_CODES = frozenset("12345678")
#: CLP06 claim filing indicator codes of the 835
CLP06_CODES = frozenset(
    {"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM"}
    | {"LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
)
_FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an administrator (problem document)"}
}

Fields = dict[str, Any]


# partners ----------------------------------------------------------------------------


async def _partner_views(
    s: AsyncSession, partner_ids: list[int] | None = None
) -> list[PartnerView]:
    query = select(m.Partner).order_by(m.Partner.id)
    if partner_ids is not None:
        query = query.where(m.Partner.id.in_(partner_ids))
    partners = (await s.execute(query)).scalars().all()
    ids = [p.id for p in partners]
    senders: dict[int, list[SenderId]] = {}
    keys: dict[int, int] = {}
    if ids:
        for row in (
            await s.execute(
                select(m.PartnerSender)
                .where(m.PartnerSender.partner_id.in_(ids))
                .order_by(m.PartnerSender.id)
            )
        ).scalars():
            senders.setdefault(row.partner_id, []).append(
                SenderId(qualifier=row.qualifier, id=row.sender_id)
            )
        for partner_id, count in (
            await s.execute(
                select(m.ApiKey.partner_id, func.count())
                .where(m.ApiKey.partner_id.in_(ids), m.ApiKey.revoked_at.is_(None))
                .group_by(m.ApiKey.partner_id)
            )
        ).all():
            if partner_id is not None:
                keys[partner_id] = count
    return [
        PartnerView(
            id=p.id,
            name=p.name,
            senders=senders.get(p.id, []),
            activeKeys=keys.get(p.id, 0),
            createdAt=p.created_at,
        )
        for p in partners
    ]


@router.post(
    "/partners",
    summary="Create a trading partner (or add a key to one); the API key is shown once",
    status_code=status.HTTP_201_CREATED,
    responses={**_FORBIDDEN, 409: {"description": "A sender ID belongs to another partner"}},
)
async def create_partner(
    body: PartnerCreate, session: SessionDep, admin: AdminDep, audit: AuditDep
) -> PartnerCreated:
    wanted = [(x.qualifier, x.id) for x in body.senders]
    for qualifier, sender_id in wanted:
        owner = (
            await session.execute(
                select(m.Partner.name)
                .join(m.PartnerSender, m.PartnerSender.partner_id == m.Partner.id)
                .where(
                    m.PartnerSender.qualifier == qualifier,
                    m.PartnerSender.sender_id == sender_id,
                )
            )
        ).scalar()
        if owner is not None and owner != body.name:
            raise Problem(
                409,
                "conflict",
                "Conflict",
                f"Sender {qualifier}:{sender_id} belongs to another partner",
            )
    try:
        partner, key = await create_partner_key(session, body.name, wanted)
        await audit.add(session, "create", "partner", [partner.id])  # a partner or a new key
        await session.commit()
    except IntegrityError as exc:  # a concurrent request took the name or a sender
        await session.rollback()
        raise Problem(
            409, "conflict", "Conflict", "The partner or a sender already exists"
        ) from exc
    view = (await _partner_views(session, [partner.id]))[0]
    return PartnerCreated(**view.model_dump(), apiKey=key)


@router.get(
    "/partners",
    summary="List trading partners, their senders and active keys",
    responses=_FORBIDDEN,
)
async def list_partners(session: SessionDep, admin: AdminDep) -> PartnerList:
    return PartnerList(items=await _partner_views(session))


# members -> 271 ----------------------------------------------------------------------


def _benefit(b: MemberBenefit, plan_type: str | None) -> Benefit:
    insurance = b.insuranceTypeCode or (plan_type if b.code in PLAN_STATUS_CODES else None)
    return Benefit(
        code=b.code,
        coverageLevelCode=b.coverageLevelCode,
        serviceTypeCodes=list(b.serviceTypeCodes),
        insuranceTypeCode=insurance,
        planCoverage=b.planCoverage,
        timeQualifierCode=b.timeQualifierCode,
        benefitAmount=Decimal(b.amount) if b.amount is not None else None,
        benefitPercent=Decimal(b.percent) if b.percent is not None else None,
        quantityQualifierCode=b.quantityQualifierCode,
        quantity=Decimal(b.quantity) if b.quantity is not None else None,
        authOrCertIndicator=b.authorizationRequired,
        inPlanNetworkIndicatorCode=b.inNetwork,
        procedureQualifier="HC" if b.procedureCode else None,
        procedureCode=b.procedureCode,
        additionalInformation=[Message(description=b.message)] if b.message else [],
    )


def _status_benefit(member: MemberPlan) -> Benefit:
    """The EB*1 active coverage the 271 leads with when the load gave no plan status."""
    ended = member.coverageEnd is not None and member.coverageEnd < dt.date.today()
    return Benefit(
        code="6" if ended else "1",
        coverageLevelCode="FAM" if member.dependents else "IND",
        serviceTypeCodes=["30"],
        insuranceTypeCode=member.planType,
        planCoverage=member.planName,
    )


def _member_response(load: MemberLoad, member: MemberPlan) -> EligibilityResponse:
    benefits = [_benefit(b, member.planType) for b in member.benefits]
    status_at = next((i for i, b in enumerate(benefits) if b.code in PLAN_STATUS_CODES), None)
    if status_at is None:
        benefits.insert(0, _status_benefit(member))
        status_at = 0
    lead = benefits[status_at]
    notes = list(lead.additionalInformation)
    if member.hsa:
        notes.append(Message(description="HEALTH SAVINGS ACCOUNT (HSA) ELIGIBLE PLAN"))
    if member.hra:
        notes.append(Message(description="HEALTH REIMBURSEMENT ARRANGEMENT (HRA) AVAILABLE"))
    if member.fsa:
        notes.append(Message(description="FLEXIBLE SPENDING ACCOUNT (FSA) AVAILABLE"))
    if member.renewalDate is not None:
        notes.append(Message(description=f"PLAN RENEWAL DATE {member.renewalDate:%Y-%m-%d}"))
    entities = list(lead.benefitsRelatedEntity)
    if member.tpa is not None:
        entities.append(
            RelatedEntity(
                entityIdentifier="2B",
                entityType="organization",
                entityName=member.tpa.name,
                contacts=[Contact(phone=member.tpa.phone)] if member.tpa.phone else [],
            )
        )
    benefits[status_at] = lead.model_copy(
        update={
            "planCoverage": lead.planCoverage or member.planName,
            "additionalInformation": notes,
            "benefitsRelatedEntity": entities,
        }
    )
    dates: Fields = {"planBegin": member.coverageBegin.isoformat()}
    if member.coverageEnd is not None:
        dates["planEnd"] = member.coverageEnd.isoformat()
        dates["eligibility"] = (
            f"{member.coverageBegin.isoformat()}/{member.coverageEnd.isoformat()}"
        )
    else:
        dates["eligibilityBegin"] = member.coverageBegin.isoformat()
    return EligibilityResponse(
        referenceIdentification=member.memberId[:30],
        controlNumber="0",
        tradingPartnerServiceId=load.payerId,
        payer=Payer(name=load.payerName, payorIdentification=load.payerId),
        # the stored 271 answers any provider: 2100B names the payer's network
        provider=ResponseProvider(
            organizationName=(load.provider.organizationName if load.provider else None)
            or f"{load.payerName} NETWORK"[:60]
        ),
        subscriber=ResponseSubscriber(
            memberId=member.memberId,
            firstName=member.firstName,
            lastName=member.lastName,
            middleName=member.middleName,
            dateOfBirth=member.dateOfBirth,
            gender=member.gender,
        ),
        dependents=[
            ResponseDependent(
                firstName=d.firstName,
                lastName=d.lastName,
                middleName=d.middleName,
                dateOfBirth=d.dateOfBirth,
                gender=d.gender,
                relationToSubscriberCode=d.relationshipCode,
                benefitsInformation=[_benefit(b, member.planType) for b in d.benefits],
            )
            for d in member.dependents
        ],
        planInformation=PlanInformation(
            groupNumber=member.groupNumber,
            groupDescription=member.groupName,
            planNumber=member.planNumber,
            planDescription=member.planName,
        ),
        planDateInformation=DateInformation.model_validate(dates),
        benefitsInformation=benefits,
    )


def member_records(load: MemberLoad, member: MemberPlan) -> list[Record]:
    """The 271 records of one member (no inquiry trace: the responder adds the inquiry's)."""
    records = response_to_records(_member_response(load, member))
    for r in records:
        if r.entity == "party" and r.fields.get("role") == "information_receiver":
            if load.provider is not None:
                r.fields.update(idQualifier="XX", identifier=load.provider.npi)
            else:  # NM108/NM109 are required: the payer's own ID for its network
                r.fields.update(idQualifier="PI", identifier=load.payerId)
    return [r for r in records if r.entity != "trace"]


def _stored(result: IngestResult) -> tuple[int | None, str]:
    outcome = result.interchanges[0] if result.interchanges else None
    if outcome is None:
        return None, "rejected"
    return (outcome.transaction_sets[0] if outcome.transaction_sets else None), outcome.status


async def _store(db: Database, x12: bytes, what: str) -> tuple[int, str]:
    set_id, outcome = _stored(await ingest(db, x12, source=m.Source.API))
    if set_id is None:
        raise Problem(
            422, "not-stored", "Not stored", f"The {what} built from the request was not accepted"
        )
    return set_id, outcome


@router.post(
    "/members",
    summary="Load the built-in payer's members, plans and benefits (one stored 271 each)",
    responses=_FORBIDDEN,
)
async def load_members(
    body: MemberLoad, db: DbDep, session: SessionDep, admin: AdminDep, audit: AuditDep
) -> MemberLoadResult:
    payer = ("ZZ", body.payerId[:15])
    items: list[dict[str, Any]] = []
    for n, member in enumerate(body.members):
        try:
            records = member_records(body, member)
            x12 = emit(
                ELIGIBILITY,
                records,
                guide="271",
                sender=payer,
                receiver=GATEWAY_ID,
                control=await _control(session, payer[1]),
            )
        except ValueError as exc:  # e.g. a separator character (* ~ : ^) in a name or message
            raise Problem(
                422,
                "validation",
                "The request is not valid",
                f"members[{n}] cannot be written as a 271: {exc}",
            ) from exc
        set_id, outcome = await _store(db, x12, "271")
        items.append({"memberId": member.memberId, "transactionSetId": set_id, "status": outcome})
    await audit.now("create", "transaction_set", [i["transactionSetId"] for i in items])
    return MemberLoadResult(payerId=body.payerId, loaded=len(items), items=items)


# claim decisions -> 835 / 277 ----------------------------------------------------------


def _by_key(records: list[Record]) -> dict[str, Record]:
    return {r.key: r for r in records}


def _claim_parties(records: list[Record], claim: Record) -> dict[str, Record]:
    """The parties above a claim: patient (a dependent), subscriber, billing, payer, submitter."""
    keys = _by_key(records)
    out: dict[str, Record] = {}
    node = keys.get(claim.parent or "")
    while node is not None:
        if node.entity == "party":
            out.setdefault(str(node.fields.get("role")), node)
        node = keys.get(node.parent or "")
    subscriber = out.get("subscriber")
    for r in records:
        if r.entity != "party":
            continue
        role = str(r.fields.get("role"))
        if role == "payer" and subscriber is not None and r.parent == subscriber.key:
            out["payer"] = r
        elif role in ("submitter", "receiver", "billing") and role not in out:
            out[role] = r
    return out


def _person(fields: Fields, member_id: str | None) -> Fields:
    out: Fields = {"entityType": "person", "lastName": fields.get("lastName") or "UNKNOWN"}
    for name in ("firstName", "middleName", "suffix"):
        if fields.get(name):
            out[name] = fields[name]
    if member_id:
        out["idQualifier"] = "MI"
        out["identifier"] = member_id
    return out


def _payer_id(parties: dict[str, Record]) -> str:
    payer = parties.get("payer")
    receiver = parties.get("receiver")
    found = (payer.fields.get("payerId") or payer.fields.get("identifier")) if payer else None
    if not found and receiver is not None:
        found = receiver.fields.get("identifier")
    return str(found or "PAYER")[:15]


def _payer_name(parties: dict[str, Record]) -> str:
    for role in ("payer", "receiver"):
        party = parties.get(role)
        if party is not None and party.fields.get("organizationName"):
            return str(party.fields["organizationName"])
    return "PAYER"


def _address(a: Address) -> Fields:
    out: Fields = {"line1": a.address1, "city": a.city}
    for name, value in (
        ("line2", a.address2),
        ("state", a.state),
        ("postalCode", a.postalCode),
        ("country", a.countryCode),
    ):
        if value:
            out[name] = value
    return out


def _service_dates(records: list[Record], claim: Record) -> list[str]:
    return sorted(
        str(r.fields["serviceDate"])
        for r in records
        if r.entity == "service_line"
        and r.key.startswith(claim.key + "/")
        and r.fields.get("serviceDate")
    )


def remittance_records(
    records: list[Record], claim: Record, decision: ClaimDecision, today: dt.date
) -> list[Record]:
    """The 835 records paying (or denying) ``claim`` as ``decision`` says."""
    parties = _claim_parties(records, claim)
    charge = Decimal(str(claim.fields.get("claimChargeAmount") or "0"))
    paid = Decimal(decision.paidAmount)
    adjusted = sum((Decimal(a.amount) for a in decision.adjustments), Decimal(0))
    if decision.status == "denied" and paid != 0:
        raise Problem(422, "validation", "The request is not valid", "a denied claim pays 0")
    if charge - paid != adjusted:
        raise Problem(
            422,
            "unbalanced",
            "The claim does not balance",
            f"charge {money(charge)} - paid {money(paid)} must equal the adjustments' sum "
            f"({money(adjusted)})",
        )
    responsibility = (
        Decimal(decision.patientResponsibility)
        if decision.patientResponsibility is not None
        else sum(
            (Decimal(a.amount) for a in decision.adjustments if a.groupCode == "PR"), Decimal(0)
        )
    )
    payer_id = _payer_id(parties)
    when = decision.paymentDate or today
    trace = decision.checkNumber or f"{today:%Y%m%d}{secrets.randbelow(10**6):06d}"
    payment: Fields = {
        "transactionHandlingCode": "I" if paid > 0 else "H",
        "totalActualProviderPaymentAmount": money(paid) or "0",
        "creditDebitFlag": "C",
        "paymentMethodCode": "CHK" if paid > 0 else "NON",
        "checkIssueOrEftEffectiveDate": when.isoformat(),
        "traceType": "1",
        "checkOrEftTraceNumber": trace,
        "payerIdentifier": ("1" + payer_id.rjust(9, "0"))[:10],
        "productionDate": today.isoformat(),
    }
    billing = parties.get("billing")
    bf = billing.fields if billing is not None else {}
    payee: Fields = {
        "role": "payee",
        "entityType": "organization",
        "organizationName": bf.get("organizationName") or bf.get("lastName") or "PAYEE",
    }
    if bf.get("npi"):
        payee.update(idQualifier="XX", identifier=bf["npi"])
    if bf.get("address"):
        payee["address"] = bf["address"]
    if bf.get("tin"):
        payee["references"] = [{"qualifier": "TJ", "value": bf["tin"]}]
    payer_party = parties.get("payer")
    address = (
        _address(decision.payer.address)
        if decision.payer is not None
        else (payer_party.fields.get("address") if payer_party is not None else None)
    )
    if not address:
        raise Problem(
            422,
            "validation",
            "The request is not valid",
            "the claim names no payer address: send payer.address (the 835 requires it)",
        )
    payer: Fields = {
        "role": "payer",
        "entityType": "organization",
        "organizationName": _payer_name(parties),
        "address": address,
        "references": [{"qualifier": "2U", "value": payer_id}],
        "contacts": [
            {
                "functionCode": "BL",
                "name": "PROVIDER SERVICES",
                "communications": [
                    {"qualifier": "TE", "number": decision.payer.phone}
                    if decision.payer is not None and decision.payer.phone
                    else {"qualifier": "UR", "number": "x12gw.dev"}
                ],
            }
        ],
    }
    subscriber = parties.get("subscriber")
    sf = subscriber.fields if subscriber is not None else {}
    member_id = sf.get("memberId")
    patient = parties.get("patient")
    filing = sf.get("claimFilingIndicatorCode")
    fields: Fields = {
        "patientControlNumber": claim.fields.get("patientControlNumber"),
        "claimStatusCode": "4" if decision.status == "denied" else "1",
        "totalClaimChargeAmount": money(charge) or "0",
        "claimPaymentAmount": money(paid) or "0",
        "patientResponsibilityAmount": money(responsibility) or "0",
        "claimFilingIndicatorCode": decision.claimFilingIndicatorCode
        or (filing if filing in CLP06_CODES else "ZZ"),
        "payerClaimControlNumber": decision.payerClaimControlNumber
        or f"{today:%Y%m%d}{secrets.randbelow(10**6):06d}",
        "facilityCode": claim.fields.get("placeOfServiceCode"),
        "frequencyCode": claim.fields.get("claimFrequencyCode"),
        "claimReceivedDate": today.isoformat(),
    }
    if patient is not None:
        fields["patient"] = _person(patient.fields, None)
        fields["insured"] = _person(sf, member_id)
    else:
        fields["patient"] = _person(sf, member_id)
    if decision.remarkCodes:
        fields["outpatientAdjudication"] = {"claimPaymentRemarkCodes": list(decision.remarkCodes)}
    dates = _service_dates(records, claim)
    if dates:
        fields["statementFromDate"] = dates[0]
        fields["statementToDate"] = dates[-1]
    out = [
        Record("payment", "payment", fields=payment),
        Record("party", "party:payer:1", "payment", fields=payer),
        Record("party", "party:payee:1", "payment", fields=payee),
        Record("header_number", "header:1", "payment", fields={"assignedNumber": "1"}),
        Record(
            "claim_payment", "claim:1", "header:1", fields={k: v for k, v in fields.items() if v}
        ),
    ]
    for n, a in enumerate(decision.adjustments, start=1):
        out.append(
            Record(
                "claim_adjustment",
                f"claim:1/adjustment:{n}",
                "claim:1",
                fields={"groupCode": a.groupCode, "reasonCode": a.reasonCode, "amount": a.amount},
            )
        )
    return out


def status_records(
    records: list[Record], claim: Record, decision: ClaimDecision, now: dt.datetime
) -> list[Record]:
    """The 277 records saying ``claim`` is pended (STC P1)."""
    parties = _claim_parties(records, claim)
    submitter = parties.get("submitter")
    billing = parties.get("billing")
    subscriber = parties.get("subscriber")
    patient = parties.get("patient")
    sf = subscriber.fields if subscriber is not None else {}
    bf = billing.fields if billing is not None else {}
    charge = money(claim.fields.get("claimChargeAmount")) or "0"
    out = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0010",
                "purposeCode": "08",
                "referenceIdentification": f"{now:%Y%m%d%H%M%S}",
                "creationDate": now.date().isoformat(),
                "creationTime": now.strftime("%H:%M"),
                "transactionTypeCode": "DG",
            },
        ),
        Record(
            "party",
            "party:payer:1",
            fields={
                "role": "payer",
                "entityType": "organization",
                "organizationName": _payer_name(parties),
                "idQualifier": "PI",
                "identifier": _payer_id(parties),
            },
        ),
    ]
    receiver: Fields = {
        "role": "information_receiver",
        "entityType": "organization",
        "organizationName": (submitter.fields.get("organizationName") if submitter else None)
        or bf.get("organizationName")
        or "PROVIDER",
        "idQualifier": "46",
        "identifier": (submitter.fields.get("identifier") if submitter else None) or "UNKNOWN",
    }
    out.append(Record("party", "party:information_receiver:1", "party:payer:1", fields=receiver))
    provider: Fields = {
        "role": "service_provider",
        "entityType": "organization",
        "organizationName": bf.get("organizationName") or bf.get("lastName") or "PROVIDER",
    }
    if bf.get("npi"):
        provider.update(idQualifier="XX", identifier=bf["npi"])
    out.append(
        Record("party", "party:service_provider:1", "party:information_receiver:1", fields=provider)
    )
    sub_fields = {"role": "subscriber", **_person(sf, sf.get("memberId"))}
    out.append(Record("party", "party:subscriber:1", "party:service_provider:1", fields=sub_fields))
    owner = "party:subscriber:1"
    loop = "2200D"
    if patient is not None:
        out.append(
            Record(
                "party",
                "party:dependent:1",
                owner,
                fields={"role": "dependent", **_person(patient.fields, None)},
            )
        )
        owner, loop = "party:dependent:1", "2200E"
    pcn = str(claim.fields.get("patientControlNumber") or "")
    status_fields: Fields = {
        "loop": loop,
        "traceNumber": pcn,
        "patientControlNumber": pcn,
        "statuses": [
            {
                "categoryCode": "P1",
                "statusCode": decision.statusCode,
                "statusEffectiveDate": now.date().isoformat(),
                "totalClaimChargeAmount": charge,
                "claimPaymentAmount": "0",
            }
        ],
    }
    if decision.payerClaimControlNumber:
        status_fields["payerClaimControlNumber"] = decision.payerClaimControlNumber
    dates = _service_dates(records, claim)
    if dates:
        status_fields["serviceStartDate"] = dates[0]
        status_fields["serviceEndDate"] = dates[-1]
    out.append(Record("claim_status", "status:1", owner, fields=status_fields))
    return out


@router.post(
    "/claims/{claim_id}/decision",
    summary="A payer's decision on a stored claim: paid/denied -> 835, pended -> 277 (P1)",
    responses={
        **_FORBIDDEN,
        404: {"description": "No such claim"},
        422: {"description": "Not valid, or the claim does not balance"},
    },
)
async def decide_claim(
    claim_id: RowId,
    body: ClaimDecision,
    db: DbDep,
    session: SessionDep,
    admin: AdminDep,
    audit: AuditDep,
) -> DecisionResult:
    row = await session.get(m.RecordRow, claim_id)
    if row is None or row.entity != "claim":
        raise Problem(404, "not-found", "Not found", f"No claim #{claim_id}")
    records = await load_records(session, row.transaction_set_id)
    claim = next((r for r in records if r.key == row.key), None)
    if claim is None:
        raise Problem(404, "not-found", "Not found", f"No claim #{claim_id}")
    parties = _claim_parties(records, claim)
    payer = ("ZZ", _payer_id(parties))
    now = dt.datetime.now(dt.UTC)
    plugin: TransactionPlugin
    kind: Literal["835", "277"]
    if body.status == "pended":
        kind, plugin = "277", CLAIM_STATUS
        built = status_records(records, claim, body, now)
    else:
        kind, plugin = "835", REMITTANCE
        built = remittance_records(records, claim, body, now.date())
    try:
        x12 = emit(
            plugin,
            built,
            guide=kind,
            sender=payer,
            receiver=GATEWAY_ID,
            control=await _control(session, payer[1]),
        )
    except ValueError as exc:  # e.g. a separator character in a name or address
        raise Problem(
            422, "validation", "The request is not valid", f"cannot write the {kind}: {exc}"
        ) from exc
    set_id, outcome = await _store(db, x12, kind)
    # the 835 / 277 goes to the outbox of the claim's submitter
    submitter = await submitter_of(session, row.interchange_id)
    await place_stored_set(session, set_id, partner_id=submitter, kinds=kind)
    await audit.add(session, "update", "claim", [claim_id])
    await audit.add(session, "create", "transaction_set", [set_id])  # the 835 or 277
    await session.commit()
    return DecisionResult(
        claimId=claim_id,
        kind=kind,
        transactionSetId=set_id,
        status=outcome,
        x12=x12.decode("latin-1"),
    )
