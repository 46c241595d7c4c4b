"""Claim JSON <-> 837P records: :class:`ClaimSubmission` to records and X12, stored records to :class:`ClaimView`.

Pure functions (no I/O). The records are those of the claims plugin
(``transactions/claims``): one billing provider, one subscriber (and a
dependent when given), one claim and its diagnoses and lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.jsonapi.claim_fields import (
    Fields,
    address_fields,
    address_json,
    date_of,
    put,
    value,
)
from gateway.jsonapi.claims_cob import addenda_fields, addenda_json, other_payer_records
from schemas.claims import (
    BillingProvider,
    ClaimHeader,
    ClaimInformation,
    ClaimParties,
    ClaimSubmission,
    ClaimView,
    ContactInformation,
    Dependent,
    DiagnosisCode,
    DiagnosisPointers,
    Payer,
    ProfessionalService,
    Receiver,
    RenderingProvider,
    ServiceLine,
    Submitter,
    Subscriber,
)
from transactions.claims import ClaimsPlugin
from transactions.emit import emit
from transactions.records import Record

__all__ = [
    "CLAIM_KEY",
    "GUIDE",
    "ClaimParts",
    "Fields",
    "claim_parts",
    "claim_record",
    "claim_records",
    "claim_views",
    "claim_x12",
    "date_of",
    "diagnoses_json",
    "diagnosis_records",
    "emit_claim",
    "header_fields",
    "header_json",
    "name",
    "party_records",
    "put",
    "rendering_json",
    "rendering_record",
    "value",
]

GUIDE = "837P"
#: The key of the one claim record a submission writes (its children's parent).
CLAIM_KEY = "claim:1"


def _contact(c: ContactInformation | None) -> list[Fields] | None:
    if c is None:
        return None
    out: Fields = {"name": c.name}
    put(out, "phoneNumber", c.phoneNumber)
    put(out, "phoneExtension", c.phoneExtension)
    put(out, "faxNumber", c.faxNumber)
    put(out, "email", c.email)
    return [out]


def name(fields: Fields, org: str | None, last: str | None, first: str | None = None) -> None:
    if org:
        fields["entityType"] = "organization"
        fields["organizationName"] = org
    else:
        fields["entityType"] = "person"
        put(fields, "lastName", last)
        put(fields, "firstName", first)


def claim_records(
    claim: ClaimSubmission, *, sender_id: str = "X12GW", when: dt.datetime | None = None
) -> list[Record]:
    """The claims plugin's records of one submitted claim.

    ``sender_id`` stands in for ``submitter.submitterIdentification`` when it is
    absent; ``when`` is the BHT creation date and time (now by default).
    """
    out, parent = party_records(
        claim, claim.claimInformation.claimFilingCode, sender_id=sender_id, when=when
    )
    out.extend(_claim(claim.claimInformation, parent))
    return out


def party_records(
    claim: ClaimParties, filing_code: str, *, sender_id: str, when: dt.datetime | None
) -> tuple[list[Record], str]:
    """The records every claim kind shares (header, submitter, receiver, billing provider,
    subscriber with the SBR09 ``filing_code``, payer, dependent) and the key of the
    claim's parent (the patient's loop)."""
    when = when or dt.datetime.now()
    out: list[Record] = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0019",
                "purposeCode": "00",
                "referenceIdentification": claim.controlNumber,
                "creationDate": when.date().isoformat(),
                "creationTime": when.strftime("%H:%M"),
                "transactionTypeCode": "CH",
            },
        )
    ]
    sub = claim.submitter
    fields: Fields = {"role": "submitter"}
    name(fields, sub.organizationName, sub.lastName, sub.firstName)
    fields.update(idQualifier="46", identifier=sub.submitterIdentification or sender_id)
    put(fields, "contacts", _contact(sub.contactInformation))
    out.append(Record("party", "party:submitter", fields=fields))
    out.append(
        Record(
            "party",
            "party:receiver",
            fields={
                "role": "receiver",
                "entityType": "organization",
                "organizationName": claim.receiver.organizationName,
                "idQualifier": "46",
                "identifier": claim.tradingPartnerServiceId,
            },
        )
    )

    bill = claim.billing
    fields = {"role": "billing"}
    put(fields, "taxonomy", bill.taxonomyCode)
    name(fields, bill.organizationName, bill.lastName, bill.firstName)
    fields["npi"] = bill.npi
    put(fields, "address", address_fields(bill.address))
    put(fields, "tin", bill.employerId)
    put(fields, "ssn", bill.ssn)
    put(fields, "contacts", _contact(bill.contactInformation))
    billing = Record("party", "party:billing:1", fields=fields, index={"npi": bill.npi})
    out.append(billing)

    s = claim.subscriber
    fields = {"role": "subscriber", "payerResponsibilityCode": s.paymentResponsibilityLevelCode}
    if claim.dependent is None:
        fields["individualRelationshipCode"] = "18"
    put(fields, "groupNumber", s.groupNumber)
    put(fields, "groupName", s.groupName)
    fields["claimFilingIndicatorCode"] = filing_code
    fields["entityType"] = "person"
    fields["lastName"] = s.lastName
    put(fields, "firstName", s.firstName)
    put(fields, "middleName", s.middleName)
    put(fields, "suffix", s.suffix)
    fields["memberId"] = s.memberId
    put(fields, "address", address_fields(s.address))
    put(fields, "birthDate", s.dateOfBirth.isoformat() if s.dateOfBirth else None)
    put(fields, "gender", s.gender)
    subscriber = Record(
        "party", "party:subscriber:1", billing.key, fields=fields, index={"member_id": s.memberId}
    )
    out.append(subscriber)

    fields = {"role": "payer", "entityType": "organization"}
    fields["organizationName"] = claim.payer.organizationName
    fields["payerId"] = claim.payer.payerId or claim.tradingPartnerServiceId
    put(fields, "address", address_fields(claim.payer.address))
    out.append(Record("party", "party:subscriber:1/payer", subscriber.key, fields=fields))

    parent = subscriber.key
    d = claim.dependent
    if d is not None:
        fields = {"role": "patient", "individualRelationshipCode": d.relationshipToSubscriberCode}
        fields["entityType"] = "person"
        fields["lastName"] = d.lastName
        put(fields, "firstName", d.firstName)
        put(fields, "middleName", d.middleName)
        put(fields, "suffix", d.suffix)
        put(fields, "address", address_fields(d.address))
        fields["birthDate"] = d.dateOfBirth.isoformat()
        fields["gender"] = d.gender
        out.append(Record("party", "party:patient:1", subscriber.key, fields=fields))
        parent = "party:patient:1"
    return out, parent


def header_fields(info: ClaimHeader) -> Fields:
    """The claim record's CLM fields as the 837P and 837D write them."""
    return {
        "patientControlNumber": info.patientControlNumber,
        "claimChargeAmount": info.claimChargeAmount,
        "placeOfServiceCode": info.placeOfServiceCode,
        "claimFrequencyCode": info.claimFrequencyCode,
        "signatureIndicator": info.signatureIndicator,
        "planParticipationCode": info.planParticipationCode,
        "benefitsAssignmentCertificationIndicator": info.benefitsAssignmentCertificationIndicator,
        "releaseInformationCode": info.releaseInformationCode,
    }


def claim_record(fields: Fields, parent: str) -> Record:
    """The 2300 claim record (:data:`CLAIM_KEY`) under the patient's loop ``parent``,
    indexed by its patient control number."""
    return Record(
        "claim",
        CLAIM_KEY,
        parent,
        fields=fields,
        index={"patient_control_number": fields["patientControlNumber"]},
    )


def diagnosis_records(codes: Sequence[DiagnosisCode], key: str) -> list[Record]:
    """The HI codes of an 837P or 837D claim, in order; code n is what pointer n points at."""
    return [
        Record(
            "diagnosis",
            f"{key}/diagnosis:{n}",
            key,
            fields={
                "qualifier": dx.diagnosisTypeCode,
                "code": dx.diagnosisCode,
                "position": n,
                "pointer": n,
            },
        )
        for n, dx in enumerate(codes, 1)
    ]


def rendering_record(r: RenderingProvider, key: str) -> Record:
    """The claim's rendering provider (2310B of the 837P, 2310B of the 837D)."""
    fields: Fields = {"role": "rendering"}
    name(fields, r.organizationName, r.lastName, r.firstName)
    put(fields, "middleName", r.middleName)
    fields["npi"] = r.npi
    put(fields, "taxonomy", r.taxonomyCode)
    return Record("party", f"{key}/party:rendering", key, fields=fields)


def _claim(info: ClaimInformation, parent: str) -> list[Record]:
    fields = header_fields(info)
    put(fields, "priorAuthorizationNumber", info.priorAuthorizationNumber)
    put(fields, "referralNumber", info.referralNumber)
    put(fields, "payerClaimControlNumber", info.payerClaimControlNumber)
    put(fields, "medicalRecordNumber", info.medicalRecordNumber)
    addenda_fields(fields, info.claimSupplementalInformation, info.claimNote)
    key = CLAIM_KEY
    out = [claim_record(fields, parent)]
    out.extend(diagnosis_records(info.healthCareCodeInformation, key))
    if info.renderingProvider is not None:
        out.append(rendering_record(info.renderingProvider, key))
    out.extend(other_payer_records(info.otherSubscriberInformation, key))
    for n, line in enumerate(info.serviceLines, 1):
        sv = line.professionalService
        fields = {"lineNumber": n, "procedureQualifier": sv.procedureIdentifier}
        fields["procedureCode"] = sv.procedureCode
        put(fields, "procedureModifiers", list(sv.procedureModifiers))
        put(fields, "description", sv.description)
        fields["chargeAmount"] = sv.lineItemChargeAmount
        fields["unitCode"] = sv.measurementUnit
        fields["units"] = sv.serviceUnitCount
        put(fields, "placeOfServiceCode", sv.placeOfServiceCode)
        fields["diagnosisPointers"] = [
            int(p) for p in sv.compositeDiagnosisCodePointers.diagnosisCodePointers
        ]
        put(fields, "emergencyIndicator", sv.emergencyIndicator)
        fields["serviceDate"] = line.serviceDate.isoformat()
        put(
            fields,
            "serviceDateEnd",
            line.serviceDateEnd.isoformat() if line.serviceDateEnd else None,
        )
        put(fields, "lineItemControlNumber", line.providerControlNumber)
        out.append(Record("service_line", f"{key}/line:{n}", key, fields=fields))
    return out


def claim_x12(
    claim: ClaimSubmission,
    *,
    sender: tuple[str, str] = ("ZZ", "X12GW"),
    receiver: tuple[str, str] | None = None,
    interchange_control: int = 1,
    usage: str = "P",
    when: dt.datetime | None = None,
) -> bytes:
    """The claim as an 837P interchange (ST02 = ``controlNumber``; receiver = the trading partner)."""
    records = claim_records(claim, sender_id=sender[1], when=when)
    return emit_claim(
        claim,
        records,
        guide=GUIDE,
        sender=sender,
        receiver=receiver,
        interchange_control=interchange_control,
        usage=usage,
        when=when,
    )


def emit_claim(
    claim: ClaimParties,
    records: list[Record],
    *,
    guide: str,
    sender: tuple[str, str],
    receiver: tuple[str, str] | None,
    interchange_control: int,
    usage: str,
    when: dt.datetime | None,
) -> bytes:
    """One claim's records as an 837 interchange of ``guide`` (ST02 = ``controlNumber``;
    receiver = the trading partner unless given)."""
    return emit(
        ClaimsPlugin(),
        records,
        guide=guide,
        sender=sender,
        receiver=receiver or ("ZZ", claim.tradingPartnerServiceId),
        control=interchange_control,
        st02=claim.controlNumber.zfill(4),
        usage=usage,
        when=when,
    )


# records -> JSON -------------------------------------------------------------------


def _contact_json(contacts: list[Fields] | None) -> ContactInformation | None:
    if not contacts:
        return None
    c = contacts[0]
    return ContactInformation(
        name=c.get("name", ""),
        phoneNumber=c.get("phoneNumber"),
        phoneExtension=c.get("phoneExtension"),
        faxNumber=c.get("faxNumber"),
        email=c.get("email"),
    )


@dataclass(frozen=True, slots=True)
class ClaimParts:
    """One stored claim's records, sorted out: the view's shared parts (``parties``: the
    keyword arguments of every claim view but ``claimInformation``), the claim record,
    its SBR09 filing code, diagnoses (by position), providers (by role), lines and other
    payers (2320, in order)."""

    parties: dict[str, Any]
    claim: Record
    filing_code: Any
    diagnoses: list[Record]
    providers: dict[str, Record]
    lines: list[Record]
    other_payers: list[Record]


def claim_parts(records: list[Record]) -> list[ClaimParts]:
    """Every claim of one 837 transaction set's records (any kind), as :class:`ClaimParts`."""
    by_key = {r.key: r for r in records}
    children: dict[str | None, list[Record]] = {}
    for r in records:
        children.setdefault(r.parent, []).append(r)
    header = by_key.get("transaction")
    submitter = by_key.get("party:submitter")
    receiver = by_key.get("party:receiver")
    out = []
    for claim in (r for r in records if r.entity == "claim"):
        owner = by_key.get(claim.parent or "")
        patient = owner if owner is not None and owner.fields.get("role") == "patient" else None
        subscriber = by_key.get(patient.parent or "") if patient is not None else owner
        if subscriber is None:
            continue
        billing = by_key.get(subscriber.parent or "")
        payer = by_key.get(f"{subscriber.key}/payer")
        kids = children.get(claim.key, [])
        out.append(
            ClaimParts(
                parties=_parties(header, submitter, receiver, billing, subscriber, patient, payer),
                claim=claim,
                filing_code=subscriber.fields.get("claimFilingIndicatorCode"),
                diagnoses=sorted(
                    (r for r in kids if r.entity == "diagnosis"),
                    key=lambda r: int(r.fields.get("position", 0)),
                ),
                providers={
                    str(r.fields.get("role")): r
                    for r in reversed(kids)
                    if r.entity == "party" and r.fields.get("role")
                },
                lines=sorted(
                    (r for r in kids if r.entity == "service_line"),
                    key=lambda r: int(r.fields.get("lineNumber", 0)),
                ),
                other_payers=[r for r in kids if r.entity == "other_payer"],
            )
        )
    return out


def claim_views(records: list[Record]) -> list[ClaimView]:
    """Every claim of one 837P transaction set's records, as :class:`ClaimView`."""
    return [_view(parts) for parts in claim_parts(records)]


def _parties(
    header: Record | None,
    submitter: Record | None,
    receiver: Record | None,
    billing: Record | None,
    subscriber: Record,
    patient: Record | None,
    payer: Record | None,
) -> dict[str, Any]:
    sub = submitter.fields if submitter else {}
    rcv = receiver.fields if receiver else {}
    bill = billing.fields if billing else {}
    s = subscriber.fields
    pay = payer.fields if payer else {}
    dependent = None
    if patient is not None:
        p = patient.fields
        dependent = Dependent(
            firstName=p.get("firstName"),
            lastName=p.get("lastName", ""),
            middleName=p.get("middleName"),
            suffix=p.get("suffix"),
            gender=value(p, "gender"),
            dateOfBirth=value(p, "birthDate"),
            relationshipToSubscriberCode=value(p, "individualRelationshipCode"),
            address=address_json(p.get("address")) or value(p, "address"),
        )
    return {
        "controlNumber": (header.fields.get("referenceIdentification", "") if header else ""),
        "tradingPartnerServiceId": rcv.get("identifier", ""),
        "submitter": Submitter(
            organizationName=sub.get("organizationName"),
            lastName=sub.get("lastName"),
            firstName=sub.get("firstName"),
            submitterIdentification=sub.get("identifier"),
            contactInformation=_contact_json(sub.get("contacts")) or value(sub, "contacts"),
        ),
        "receiver": Receiver(organizationName=rcv.get("organizationName", "")),
        "billing": BillingProvider(
            npi=bill.get("npi", ""),
            employerId=bill.get("tin"),
            ssn=bill.get("ssn"),
            taxonomyCode=bill.get("taxonomy"),
            organizationName=bill.get("organizationName"),
            lastName=bill.get("lastName"),
            firstName=bill.get("firstName"),
            address=address_json(bill.get("address")) or value(bill, "address"),
            contactInformation=_contact_json(bill.get("contacts")),
        ),
        "subscriber": Subscriber(
            memberId=s.get("memberId", ""),
            paymentResponsibilityLevelCode=s.get("payerResponsibilityCode", "P"),
            firstName=s.get("firstName"),
            lastName=s.get("lastName", ""),
            middleName=s.get("middleName"),
            suffix=s.get("suffix"),
            gender=s.get("gender"),
            dateOfBirth=date_of(s.get("birthDate")),
            address=address_json(s.get("address")),
            groupNumber=s.get("groupNumber"),
            groupName=s.get("groupName"),
        ),
        "dependent": dependent,
        "payer": Payer(
            organizationName=pay.get("organizationName", ""),
            payerId=pay.get("payerId") or pay.get("identifier"),
            address=address_json(pay.get("address")),
        ),
    }


def header_json(parts: ClaimParts) -> dict[str, Any]:
    """The :class:`~schemas.claims.ClaimHeader` keyword arguments of a stored 837P or 837D
    claim (what :func:`header_fields` wrote, and the SBR09 filing code)."""
    c = parts.claim.fields
    return {
        "claimFilingCode": parts.filing_code,
        "patientControlNumber": c.get("patientControlNumber", ""),
        "claimChargeAmount": c.get("claimChargeAmount", "0"),
        "placeOfServiceCode": c.get("placeOfServiceCode", ""),
        "claimFrequencyCode": c.get("claimFrequencyCode", "1"),
        "signatureIndicator": c.get("signatureIndicator", "Y"),
        "planParticipationCode": c.get("planParticipationCode", "A"),
        "benefitsAssignmentCertificationIndicator": c.get(
            "benefitsAssignmentCertificationIndicator", "Y"
        ),
        "releaseInformationCode": c.get("releaseInformationCode", "Y"),
    }


def diagnoses_json(parts: ClaimParts) -> list[DiagnosisCode]:
    """The HI codes of a stored 837P or 837D claim (what :func:`diagnosis_records` wrote)."""
    return [
        DiagnosisCode(
            diagnosisTypeCode=value(d.fields, "qualifier"), diagnosisCode=value(d.fields, "code")
        )
        for d in parts.diagnoses
    ]


def rendering_json(parts: ClaimParts) -> RenderingProvider | None:
    """The stored claim's rendering provider (what :func:`rendering_record` wrote), if any."""
    rendering = parts.providers.get("rendering")
    if rendering is None:
        return None
    return RenderingProvider(
        npi=rendering.fields.get("npi", ""),
        organizationName=rendering.fields.get("organizationName"),
        lastName=rendering.fields.get("lastName"),
        firstName=rendering.fields.get("firstName"),
        middleName=rendering.fields.get("middleName"),
        taxonomyCode=rendering.fields.get("taxonomy"),
    )


def _view(parts: ClaimParts) -> ClaimView:
    c = parts.claim.fields
    return ClaimView(
        **parts.parties,
        claimInformation=ClaimInformation(
            **header_json(parts),
            priorAuthorizationNumber=c.get("priorAuthorizationNumber"),
            referralNumber=c.get("referralNumber"),
            payerClaimControlNumber=c.get("payerClaimControlNumber"),
            medicalRecordNumber=c.get("medicalRecordNumber"),
            healthCareCodeInformation=diagnoses_json(parts),
            renderingProvider=rendering_json(parts),
            **addenda_json(parts.claim.fields, parts.other_payers),
            serviceLines=[_line(r.fields) for r in parts.lines],
        ),
    )


def _line(f: Fields) -> ServiceLine:
    return ServiceLine(
        serviceDate=value(f, "serviceDate"),
        serviceDateEnd=date_of(f.get("serviceDateEnd")),
        providerControlNumber=f.get("lineItemControlNumber"),
        professionalService=ProfessionalService(
            procedureIdentifier=f.get("procedureQualifier", "HC"),
            procedureCode=f.get("procedureCode", ""),
            procedureModifiers=f.get("procedureModifiers") or [],
            description=f.get("description"),
            lineItemChargeAmount=f.get("chargeAmount", "0"),
            measurementUnit=f.get("unitCode", "UN"),
            serviceUnitCount=f.get("units", "0"),
            placeOfServiceCode=f.get("placeOfServiceCode"),
            compositeDiagnosisCodePointers=DiagnosisPointers(
                diagnosisCodePointers=[str(p) for p in f.get("diagnosisPointers") or []]
            ),
            emergencyIndicator=f.get("emergencyIndicator"),
        ),
    )
