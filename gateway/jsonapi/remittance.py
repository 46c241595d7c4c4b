"""835 records -> :class:`Remittance` JSON, with CARC, RARC, group and status descriptions.

Pure functions, no I/O: :func:`remittance` takes the remittance plugin's
records of one transaction set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gateway.jsonapi.codes import (
    CARC,
    CLAIM_STATUS,
    GROUP_CODES,
    PROVIDER_ADJUSTMENT,
    RARC,
    describe,
)
from schemas.remittance import (
    Adjustment,
    ProviderAdjustment,
    ProviderAdjustmentItem,
    RemarkCode,
    Remittance,
    RemittanceClaim,
    RemittanceParty,
    RemittancePayment,
    RemittanceServiceLine,
)
from transactions.records import Record

__all__ = ["remittance"]

Fields = dict[str, Any]


def _date(value: Any) -> Any:
    """An ISO date as a date; other text (an 835 may send a date that is no date) as it is."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _party(f: Fields | None) -> RemittanceParty | None:
    if f is None:
        return None
    refs = {r.get("qualifier"): r.get("value") for r in f.get("references") or []}
    address = f.get("address")
    return RemittanceParty(
        organizationName=f.get("organizationName") or f.get("lastName"),
        identifier=f.get("identifier"),
        identifierQualifier=f.get("idQualifier"),
        npi=f.get("npi"),
        taxId=f.get("tin"),
        payerIdentifier=refs.get("2U"),
        address={k: str(v) for k, v in address.items()} if isinstance(address, dict) else None,
    )


def _adjustments(records: list[Record]) -> list[Adjustment]:
    return [
        Adjustment(
            groupCode=str(r.fields.get("groupCode", "")),
            groupDescription=describe(GROUP_CODES, r.fields.get("groupCode")),
            reasonCode=str(r.fields.get("reasonCode", "")),
            reasonDescription=describe(CARC, r.fields.get("reasonCode")),
            amount=r.fields.get("amount"),
            quantity=r.fields.get("quantity"),
        )
        for r in records
        if r.entity == "claim_adjustment"
    ]


def _remarks(codes: list[str] | None) -> list[RemarkCode]:
    return [RemarkCode(code=c, description=describe(RARC, c)) for c in codes or []]


def remittance(records: list[Record]) -> Remittance:
    """One 835 transaction set's records as a :class:`Remittance`."""
    children: dict[str | None, list[Record]] = {}
    for r in records:
        children.setdefault(r.parent, []).append(r)
    payment = next((r.fields for r in records if r.entity == "payment"), {})
    parties = {
        str(r.fields.get("role")): r.fields
        for r in records
        if r.entity == "party" and r.parent == "payment"
    }
    claims = []
    for rec in records:
        if rec.entity != "claim_payment":
            continue
        f = rec.fields
        patient = f.get("patient") or {}
        adjudication = f.get("inpatientAdjudication") or f.get("outpatientAdjudication") or {}
        kids = children.get(rec.key, [])
        claims.append(
            RemittanceClaim(
                patientControlNumber=f.get("patientControlNumber"),
                payerClaimControlNumber=f.get("payerClaimControlNumber"),
                claimStatusCode=f.get("claimStatusCode"),
                claimStatusDescription=describe(CLAIM_STATUS, f.get("claimStatusCode")),
                chargeAmount=f.get("totalClaimChargeAmount"),
                paidAmount=f.get("claimPaymentAmount"),
                patientResponsibility=f.get("patientResponsibilityAmount"),
                claimFilingIndicatorCode=f.get("claimFilingIndicatorCode"),
                facilityCode=f.get("facilityCode"),
                frequencyCode=f.get("frequencyCode"),
                patientFirstName=patient.get("firstName"),
                patientLastName=patient.get("lastName"),
                memberId=f.get("memberId"),
                statementFromDate=_date(f.get("statementFromDate")),
                statementToDate=_date(f.get("statementToDate")),
                claimReceivedDate=_date(f.get("claimReceivedDate")),
                adjustments=_adjustments(kids),
                remarkCodes=_remarks(adjudication.get("claimPaymentRemarkCodes")),
                serviceLines=[
                    _service(s, children.get(s.key, []))
                    for s in kids
                    if s.entity == "service_payment"
                ],
            )
        )
    return Remittance(
        payment=RemittancePayment(
            method=payment.get("paymentMethodCode"),
            amount=payment.get("totalActualProviderPaymentAmount"),
            creditDebitFlag=payment.get("creditDebitFlag"),
            transactionHandlingCode=payment.get("transactionHandlingCode"),
            traceNumber=payment.get("checkOrEftTraceNumber"),
            effectiveDate=_date(payment.get("checkIssueOrEftEffectiveDate")),
            productionDate=_date(payment.get("productionDate")),
            payerIdentifier=payment.get("payerIdentifier"),
            payer=_party(parties.get("payer")),
            payee=_party(parties.get("payee")),
        ),
        claims=claims,
        providerAdjustments=[
            ProviderAdjustment(
                providerIdentifier=r.fields.get("providerIdentifier"),
                fiscalPeriodDate=_date(r.fields.get("fiscalPeriodDate")),
                adjustments=[
                    ProviderAdjustmentItem(
                        reasonCode=str(a.get("reasonCode", "")),
                        reasonDescription=describe(PROVIDER_ADJUSTMENT, a.get("reasonCode")),
                        referenceIdentifier=a.get("referenceIdentifier"),
                        amount=a.get("amount"),
                    )
                    for a in r.fields.get("adjustments") or []
                ],
            )
            for r in records
            if r.entity == "provider_adjustment"
        ],
    )


def _service(rec: Record, kids: list[Record]) -> RemittanceServiceLine:
    f = rec.fields
    return RemittanceServiceLine(
        procedureQualifier=f.get("procedureQualifier"),
        procedureCode=f.get("procedureCode"),
        modifiers=f.get("procedureModifiers") or [],
        revenueCode=f.get("revenueCode"),
        chargeAmount=f.get("lineItemChargeAmount"),
        paidAmount=f.get("lineItemProviderPaymentAmount"),
        allowedAmount=f.get("allowedAmount"),
        unitsPaid=f.get("unitsOfServicePaid"),
        lineItemControlNumber=f.get("lineItemControlNumber"),
        serviceDate=_date(f.get("serviceDate")),
        serviceStartDate=_date(f.get("serviceStartDate")),
        serviceEndDate=_date(f.get("serviceEndDate")),
        adjustments=_adjustments(kids),
        remarkCodes=_remarks(f.get("remarkCodes")),
    )
