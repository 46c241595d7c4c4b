"""Claim JSON <-> 837P records: :class:`ClaimSubmission` to records and X12, stored records to :class:`ClaimView`.

Pure functions (no I/O). The records are those of the claims plugin
(``transactions/claims``): one billing provider, one subscriber (and a
dependent when given), one claim and its diagnoses and lines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from schemas.claims import (
    Address,
    BillingProvider,
    ClaimInformation,
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

__all__ = ["GUIDE", "claim_records", "claim_views", "claim_x12"]

GUIDE = "837P"
Fields = dict[str, Any]


def _put(fields: Fields, name: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        fields[name] = value


def _address(a: Address | None) -> Fields | None:
    if a is None:
        return None
    out: Fields = {}
    for src, dst in (
        (a.address1, "line1"),
        (a.address2, "line2"),
        (a.city, "city"),
        (a.state, "state"),
        (a.postalCode, "postalCode"),
        (a.countryCode, "country"),
    ):
        _put(out, dst, src)
    return out


def _contact(c: ContactInformation | None) -> list[Fields] | None:
    if c is None:
        return None
    out: Fields = {"name": c.name}
    _put(out, "phoneNumber", c.phoneNumber)
    _put(out, "phoneExtension", c.phoneExtension)
    _put(out, "faxNumber", c.faxNumber)
    _put(out, "email", c.email)
    return [out]


def _name(fields: Fields, org: str | None, last: str | None, first: str | None = None) -> None:
    if org:
        fields["entityType"] = "organization"
        fields["organizationName"] = org
    else:
        fields["entityType"] = "person"
        _put(fields, "lastName", last)
        _put(fields, "firstName", first)


def claim_records(
    claim: ClaimSubmission, *, sender_id: str = "X12GW", when: dt.datetime | None = None
) -> list[Record]:
    """The claims plugin's records of one submitted claim.

    ``sender_id`` stands in for ``submitter.submitterIdentification`` when it is
    absent; ``when`` is the BHT creation date and time (now by default).
    """
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
    _name(fields, sub.organizationName, sub.lastName, sub.firstName)
    fields.update(idQualifier="46", identifier=sub.submitterIdentification or sender_id)
    _put(fields, "contacts", _contact(sub.contactInformation))
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
    _put(fields, "taxonomy", bill.taxonomyCode)
    _name(fields, bill.organizationName, bill.lastName, bill.firstName)
    fields["npi"] = bill.npi
    _put(fields, "address", _address(bill.address))
    _put(fields, "tin", bill.employerId)
    _put(fields, "ssn", bill.ssn)
    _put(fields, "contacts", _contact(bill.contactInformation))
    billing = Record("party", "party:billing:1", fields=fields, index={"npi": bill.npi})
    out.append(billing)

    s = claim.subscriber
    info = claim.claimInformation
    fields = {"role": "subscriber", "payerResponsibilityCode": s.paymentResponsibilityLevelCode}
    if claim.dependent is None:
        fields["individualRelationshipCode"] = "18"
    _put(fields, "groupNumber", s.groupNumber)
    _put(fields, "groupName", s.groupName)
    fields["claimFilingIndicatorCode"] = info.claimFilingCode
    fields["entityType"] = "person"
    fields["lastName"] = s.lastName
    _put(fields, "firstName", s.firstName)
    _put(fields, "middleName", s.middleName)
    _put(fields, "suffix", s.suffix)
    fields["memberId"] = s.memberId
    _put(fields, "address", _address(s.address))
    _put(fields, "birthDate", s.dateOfBirth.isoformat() if s.dateOfBirth else None)
    _put(fields, "gender", s.gender)
    subscriber = Record(
        "party", "party:subscriber:1", billing.key, fields=fields, index={"member_id": s.memberId}
    )
    out.append(subscriber)

    fields = {"role": "payer", "entityType": "organization"}
    fields["organizationName"] = claim.payer.organizationName
    fields["payerId"] = claim.payer.payerId or claim.tradingPartnerServiceId
    _put(fields, "address", _address(claim.payer.address))
    out.append(Record("party", "party:subscriber:1/payer", subscriber.key, fields=fields))

    parent = subscriber.key
    d = claim.dependent
    if d is not None:
        fields = {"role": "patient", "individualRelationshipCode": d.relationshipToSubscriberCode}
        fields["entityType"] = "person"
        fields["lastName"] = d.lastName
        _put(fields, "firstName", d.firstName)
        _put(fields, "middleName", d.middleName)
        _put(fields, "suffix", d.suffix)
        _put(fields, "address", _address(d.address))
        fields["birthDate"] = d.dateOfBirth.isoformat()
        fields["gender"] = d.gender
        out.append(Record("party", "party:patient:1", subscriber.key, fields=fields))
        parent = "party:patient:1"
    out.extend(_claim(info, parent))
    return out


def _claim(info: ClaimInformation, parent: str) -> list[Record]:
    fields: Fields = {
        "patientControlNumber": info.patientControlNumber,
        "claimChargeAmount": info.claimChargeAmount,
        "placeOfServiceCode": info.placeOfServiceCode,
        "claimFrequencyCode": info.claimFrequencyCode,
        "signatureIndicator": info.signatureIndicator,
        "planParticipationCode": info.planParticipationCode,
        "benefitsAssignmentCertificationIndicator": info.benefitsAssignmentCertificationIndicator,
        "releaseInformationCode": info.releaseInformationCode,
    }
    _put(fields, "priorAuthorizationNumber", info.priorAuthorizationNumber)
    _put(fields, "referralNumber", info.referralNumber)
    _put(fields, "payerClaimControlNumber", info.payerClaimControlNumber)
    _put(fields, "medicalRecordNumber", info.medicalRecordNumber)
    key = "claim:1"
    out = [
        Record(
            "claim",
            key,
            parent,
            fields=fields,
            index={"patient_control_number": info.patientControlNumber},
        )
    ]
    for n, dx in enumerate(info.healthCareCodeInformation, 1):
        out.append(
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
        )
    r = info.renderingProvider
    if r is not None:
        fields = {"role": "rendering"}
        _name(fields, r.organizationName, r.lastName, r.firstName)
        _put(fields, "middleName", r.middleName)
        fields["npi"] = r.npi
        _put(fields, "taxonomy", r.taxonomyCode)
        out.append(Record("party", f"{key}/party:rendering", key, fields=fields))
    for n, line in enumerate(info.serviceLines, 1):
        sv = line.professionalService
        fields = {"lineNumber": n, "procedureQualifier": sv.procedureIdentifier}
        fields["procedureCode"] = sv.procedureCode
        _put(fields, "procedureModifiers", list(sv.procedureModifiers))
        _put(fields, "description", sv.description)
        fields["chargeAmount"] = sv.lineItemChargeAmount
        fields["unitCode"] = sv.measurementUnit
        fields["units"] = sv.serviceUnitCount
        _put(fields, "placeOfServiceCode", sv.placeOfServiceCode)
        fields["diagnosisPointers"] = [
            int(p) for p in sv.compositeDiagnosisCodePointers.diagnosisCodePointers
        ]
        _put(fields, "emergencyIndicator", sv.emergencyIndicator)
        fields["serviceDate"] = line.serviceDate.isoformat()
        _put(
            fields,
            "serviceDateEnd",
            line.serviceDateEnd.isoformat() if line.serviceDateEnd else None,
        )
        _put(fields, "lineItemControlNumber", line.providerControlNumber)
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
    return emit(
        ClaimsPlugin(),
        records,
        guide=GUIDE,
        sender=sender,
        receiver=receiver or ("ZZ", claim.tradingPartnerServiceId),
        control=interchange_control,
        st02=claim.controlNumber.zfill(4),
        usage=usage,
        when=when,
    )


# records -> JSON -------------------------------------------------------------------


def _address_json(a: Fields | None) -> Address | None:
    if not a:
        return None
    return Address(
        address1=a.get("line1", ""),
        address2=a.get("line2"),
        city=a.get("city", ""),
        state=a.get("state"),
        postalCode=a.get("postalCode"),
        countryCode=a.get("country"),
    )


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


def _v(fields: Fields, key: str) -> Any:
    """A field's value (None when absent), left to the model to validate."""
    return fields.get(key)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def claim_views(records: list[Record]) -> list[ClaimView]:
    """Every claim of one 837P transaction set's records, as :class:`ClaimView`."""
    by_key = {r.key: r for r in records}
    children: dict[str | None, list[Record]] = {}
    for r in records:
        children.setdefault(r.parent, []).append(r)
    header = by_key.get("transaction")
    submitter = by_key.get("party:submitter")
    receiver = by_key.get("party:receiver")
    views = []
    for claim in (r for r in records if r.entity == "claim"):
        owner = by_key.get(claim.parent or "")
        patient = owner if owner is not None and owner.fields.get("role") == "patient" else None
        subscriber = by_key.get(patient.parent or "") if patient is not None else owner
        if subscriber is None:
            continue
        billing = by_key.get(subscriber.parent or "")
        payer = by_key.get(f"{subscriber.key}/payer")
        views.append(
            _view(claim, children, header, submitter, receiver, billing, subscriber, patient, payer)
        )
    return views


def _view(
    claim: Record,
    children: dict[str | None, list[Record]],
    header: Record | None,
    submitter: Record | None,
    receiver: Record | None,
    billing: Record | None,
    subscriber: Record,
    patient: Record | None,
    payer: Record | None,
) -> ClaimView:
    sub = submitter.fields if submitter else {}
    rcv = receiver.fields if receiver else {}
    bill = billing.fields if billing else {}
    s = subscriber.fields
    pay = payer.fields if payer else {}
    c = claim.fields
    kids = children.get(claim.key, [])
    diagnoses = sorted(
        (r for r in kids if r.entity == "diagnosis"), key=lambda r: int(r.fields.get("position", 0))
    )
    rendering = next(
        (r for r in kids if r.entity == "party" and r.fields.get("role") == "rendering"), None
    )
    lines = sorted(
        (r for r in kids if r.entity == "service_line"),
        key=lambda r: int(r.fields.get("lineNumber", 0)),
    )
    dependent = None
    if patient is not None:
        p = patient.fields
        dependent = Dependent(
            firstName=p.get("firstName"),
            lastName=p.get("lastName", ""),
            middleName=p.get("middleName"),
            suffix=p.get("suffix"),
            gender=_v(p, "gender"),
            dateOfBirth=_v(p, "birthDate"),
            relationshipToSubscriberCode=_v(p, "individualRelationshipCode"),
            address=_address_json(p.get("address")) or _v(p, "address"),
        )
    return ClaimView(
        controlNumber=(header.fields.get("referenceIdentification", "") if header else ""),
        tradingPartnerServiceId=rcv.get("identifier", ""),
        submitter=Submitter(
            organizationName=sub.get("organizationName"),
            lastName=sub.get("lastName"),
            firstName=sub.get("firstName"),
            submitterIdentification=sub.get("identifier"),
            contactInformation=_contact_json(sub.get("contacts")) or _v(sub, "contacts"),
        ),
        receiver=Receiver(organizationName=rcv.get("organizationName", "")),
        billing=BillingProvider(
            npi=bill.get("npi", ""),
            employerId=bill.get("tin"),
            ssn=bill.get("ssn"),
            taxonomyCode=bill.get("taxonomy"),
            organizationName=bill.get("organizationName"),
            lastName=bill.get("lastName"),
            firstName=bill.get("firstName"),
            address=_address_json(bill.get("address")) or _v(bill, "address"),
            contactInformation=_contact_json(bill.get("contacts")),
        ),
        subscriber=Subscriber(
            memberId=s.get("memberId", ""),
            paymentResponsibilityLevelCode=s.get("payerResponsibilityCode", "P"),
            firstName=s.get("firstName"),
            lastName=s.get("lastName", ""),
            middleName=s.get("middleName"),
            suffix=s.get("suffix"),
            gender=s.get("gender"),
            dateOfBirth=_date(s.get("birthDate")),
            address=_address_json(s.get("address")),
            groupNumber=s.get("groupNumber"),
            groupName=s.get("groupName"),
        ),
        dependent=dependent,
        payer=Payer(
            organizationName=pay.get("organizationName", ""),
            payerId=pay.get("payerId") or pay.get("identifier"),
            address=_address_json(pay.get("address")),
        ),
        claimInformation=ClaimInformation(
            claimFilingCode=_v(s, "claimFilingIndicatorCode"),
            patientControlNumber=c.get("patientControlNumber", ""),
            claimChargeAmount=c.get("claimChargeAmount", "0"),
            placeOfServiceCode=c.get("placeOfServiceCode", ""),
            claimFrequencyCode=c.get("claimFrequencyCode", "1"),
            signatureIndicator=c.get("signatureIndicator", "Y"),
            planParticipationCode=c.get("planParticipationCode", "A"),
            benefitsAssignmentCertificationIndicator=c.get(
                "benefitsAssignmentCertificationIndicator", "Y"
            ),
            releaseInformationCode=c.get("releaseInformationCode", "Y"),
            priorAuthorizationNumber=c.get("priorAuthorizationNumber"),
            referralNumber=c.get("referralNumber"),
            payerClaimControlNumber=c.get("payerClaimControlNumber"),
            medicalRecordNumber=c.get("medicalRecordNumber"),
            healthCareCodeInformation=[
                DiagnosisCode(
                    diagnosisTypeCode=_v(d.fields, "qualifier"),
                    diagnosisCode=_v(d.fields, "code"),
                )
                for d in diagnoses
            ],
            renderingProvider=(
                RenderingProvider(
                    npi=rendering.fields.get("npi", ""),
                    organizationName=rendering.fields.get("organizationName"),
                    lastName=rendering.fields.get("lastName"),
                    firstName=rendering.fields.get("firstName"),
                    middleName=rendering.fields.get("middleName"),
                    taxonomyCode=rendering.fields.get("taxonomy"),
                )
                if rendering is not None
                else None
            ),
            serviceLines=[_line(r.fields) for r in lines],
        ),
    )


def _line(f: Fields) -> ServiceLine:
    return ServiceLine(
        serviceDate=_v(f, "serviceDate"),
        serviceDateEnd=_date(f.get("serviceDateEnd")),
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
