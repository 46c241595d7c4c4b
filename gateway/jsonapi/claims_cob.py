"""Claim JSON <-> records for what every claim kind carries alike: attachments (PWK),
the billing note (NTE*ADD) and the other payers of coordination of benefits (2320 with
2330A/2330B: ``other_payer`` records).

Pure functions; :mod:`gateway.jsonapi.claims` and the per-kind modules call them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.jsonapi.claim_fields import Fields, address_fields, address_json, put, value
from schemas.claims import (
    AdjustmentDetail,
    ClaimAdjustment,
    ClaimNote,
    ClaimSupplementalInformation,
    OtherPayerName,
    OtherSubscriberInformation,
    OtherSubscriberName,
    ReportInformation,
)
from transactions.records import Record

__all__ = ["addenda_fields", "addenda_json", "other_payer_records"]


def addenda_fields(
    fields: Fields,
    supplemental: ClaimSupplementalInformation | None,
    note: ClaimNote | None,
) -> None:
    """Put the claim's attachments (PWK) and billing note (NTE*ADD) into its record fields."""
    if supplemental is not None:
        attachments = []
        for report in supplemental.reportInformations:
            item: Fields = {
                "reportTypeCode": report.attachmentReportTypeCode,
                "transmissionCode": report.attachmentTransmissionCode,
            }
            put(item, "controlNumber", report.attachmentControlNumber)
            attachments.append(item)
        fields["attachments"] = attachments
    if note is not None:
        fields["notes"] = [{"noteCode": "ADD", "text": note.additionalInformation}]


def other_payer_records(others: Sequence[OtherSubscriberInformation], key: str) -> list[Record]:
    """The 2320/2330A/2330B ``other_payer`` records of the claim ``key``, in order."""
    out = []
    for n, o in enumerate(others, 1):
        fields: Fields = {
            "payerResponsibilityCode": o.paymentResponsibilityLevelCode,
            "individualRelationshipCode": o.individualRelationshipCode,
        }
        put(fields, "groupNumber", o.insuranceGroupOrPolicyNumber)
        put(fields, "groupName", o.otherInsuredGroupName)
        put(fields, "insuranceTypeCode", o.insuranceTypeCode)
        fields["claimFilingIndicatorCode"] = o.claimFilingIndicatorCode
        adjustments = []
        for group in o.claimLevelAdjustments:
            for d in group.adjustmentDetails:
                item: Fields = {
                    "groupCode": group.adjustmentGroupCode,
                    "reasonCode": d.adjustmentReasonCode,
                    "amount": d.adjustmentAmount,
                }
                put(item, "quantity", d.adjustmentQuantity)
                adjustments.append(item)
        put(fields, "adjustments", adjustments)
        put(fields, "payerPaidAmount", o.payerPaidAmount)
        put(fields, "nonCoveredChargeAmount", o.nonCoveredChargeAmount)
        put(fields, "remainingPatientLiability", o.remainingPatientLiability)
        fields["benefitsAssignmentCertificationIndicator"] = (
            o.benefitsAssignmentCertificationIndicator
        )
        if o.patientSignatureGeneratedForPatient:
            fields["patientSignatureSourceCode"] = "P"
        fields["releaseInformationCode"] = o.releaseOfInformationCode
        s = o.otherSubscriberName
        subscriber: Fields = {"role": "subscriber"}
        subscriber["entityType"] = "person" if s.otherInsuredQualifier == "1" else "organization"
        subscriber["lastName" if s.otherInsuredQualifier == "1" else "organizationName"] = (
            s.otherInsuredLastName
        )
        put(subscriber, "firstName", s.otherInsuredFirstName)
        put(subscriber, "middleName", s.otherInsuredMiddleName)
        put(subscriber, "suffix", s.otherInsuredNameSuffix)
        _identify(subscriber, s.otherInsuredIdentifierTypeCode, s.otherInsuredIdentifier)
        put(subscriber, "address", address_fields(s.otherInsuredAddress))
        fields["subscriber"] = subscriber
        p = o.otherPayerName
        payer: Fields = {"role": "payer", "entityType": "organization"}
        payer["organizationName"] = p.otherPayerOrganizationName
        _identify(payer, p.otherPayerIdentifierTypeCode, p.otherPayerIdentifier)
        put(payer, "address", address_fields(p.otherPayerAddress))
        day = p.otherPayerAdjudicationOrPaymentDate
        put(payer, "claimCheckOrRemittanceDate", day.isoformat() if day else None)
        put(payer, "priorAuthorizationNumber", p.otherPayerPriorAuthorizationNumber)
        put(payer, "referralNumber", p.otherPayerReferralNumber)
        put(payer, "payerClaimControlNumber", p.otherPayerClaimControlNumber)
        fields["payer"] = payer
        out.append(Record("other_payer", f"{key}/other_payer:{n}", key, fields=fields))
    return out


#: NM108 codes the name codec keeps under their own field name
_ID_FIELDS = {"MI": "memberId", "PI": "payerId"}


def _identify(fields: Fields, qualifier: str, identifier: str) -> None:
    if qualifier in _ID_FIELDS:
        fields[_ID_FIELDS[qualifier]] = identifier
    else:
        fields["idQualifier"], fields["identifier"] = qualifier, identifier


def addenda_json(claim: Fields, other_payers: list[Record]) -> dict[str, Any]:
    """The ``claimSupplementalInformation``, ``claimNote`` and ``otherSubscriberInformation``
    keyword arguments of a stored claim of any kind (what :func:`addenda_fields` and
    :func:`other_payer_records` wrote). An other payer received without its 2330A or 2330B
    loop (both required: the parser reports it) is left out rather than hiding the claim."""
    c = claim
    attachments = c.get("attachments") or []
    supplemental = (
        ClaimSupplementalInformation(
            reportInformations=[
                ReportInformation(
                    attachmentReportTypeCode=value(a, "reportTypeCode"),
                    attachmentTransmissionCode=value(a, "transmissionCode"),
                    attachmentControlNumber=a.get("controlNumber"),
                )
                for a in attachments
            ]
        )
        if attachments
        else None
    )
    text = next((n.get("text") for n in c.get("notes") or [] if n.get("noteCode") == "ADD"), None)
    return {
        "claimSupplementalInformation": supplemental,
        "claimNote": ClaimNote(additionalInformation=text) if text is not None else None,
        "otherSubscriberInformation": [
            _other_payer_json(r.fields)
            for r in other_payers
            if isinstance(r.fields.get("subscriber"), dict)
            and isinstance(r.fields.get("payer"), dict)
        ],
    }


def _other_payer_json(f: Fields) -> OtherSubscriberInformation:
    groups: dict[str, list[AdjustmentDetail]] = {}
    for a in f.get("adjustments") or []:
        groups.setdefault(str(a.get("groupCode")), []).append(
            AdjustmentDetail(
                adjustmentReasonCode=value(a, "reasonCode"),
                adjustmentAmount=value(a, "amount"),
                adjustmentQuantity=a.get("quantity"),
            )
        )
    s = f.get("subscriber") or {}
    person = s.get("entityType", "person") == "person"
    p = f.get("payer") or {}
    return OtherSubscriberInformation(
        paymentResponsibilityLevelCode=value(f, "payerResponsibilityCode"),
        individualRelationshipCode=value(f, "individualRelationshipCode"),
        insuranceGroupOrPolicyNumber=f.get("groupNumber"),
        otherInsuredGroupName=f.get("groupName"),
        insuranceTypeCode=f.get("insuranceTypeCode"),
        claimFilingIndicatorCode=value(f, "claimFilingIndicatorCode"),
        claimLevelAdjustments=[
            ClaimAdjustment.model_validate(
                {"adjustmentGroupCode": group, "adjustmentDetails": details}
            )
            for group, details in groups.items()
        ],
        payerPaidAmount=f.get("payerPaidAmount"),
        nonCoveredChargeAmount=f.get("nonCoveredChargeAmount"),
        remainingPatientLiability=f.get("remainingPatientLiability"),
        benefitsAssignmentCertificationIndicator=f.get(
            "benefitsAssignmentCertificationIndicator", "Y"
        ),
        patientSignatureGeneratedForPatient=f.get("patientSignatureSourceCode") == "P",
        releaseOfInformationCode=f.get("releaseInformationCode", "Y"),
        otherSubscriberName=OtherSubscriberName(
            otherInsuredQualifier="1" if person else "2",
            otherInsuredLastName=s.get("lastName" if person else "organizationName", ""),
            otherInsuredFirstName=s.get("firstName"),
            otherInsuredMiddleName=s.get("middleName"),
            otherInsuredNameSuffix=s.get("suffix"),
            otherInsuredIdentifierTypeCode=_qualifier(s, "MI"),
            otherInsuredIdentifier=_identifier(s, "MI"),
            otherInsuredAddress=address_json(s.get("address")),
        ),
        otherPayerName=OtherPayerName(
            otherPayerOrganizationName=p.get("organizationName", ""),
            otherPayerIdentifierTypeCode=_qualifier(p, "PI"),
            otherPayerIdentifier=_identifier(p, "PI"),
            otherPayerAddress=address_json(p.get("address")),
            otherPayerAdjudicationOrPaymentDate=p.get("claimCheckOrRemittanceDate"),
            otherPayerClaimControlNumber=p.get("payerClaimControlNumber"),
            otherPayerPriorAuthorizationNumber=p.get("priorAuthorizationNumber"),
            otherPayerReferralNumber=p.get("referralNumber"),
        ),
    )


def _qualifier(party: Fields, default: str) -> Any:
    return default if party.get(_ID_FIELDS[default]) else party.get("idQualifier", default)


def _identifier(party: Fields, default: str) -> Any:
    return party.get(_ID_FIELDS[default]) or party.get("identifier", "")
