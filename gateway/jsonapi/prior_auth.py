"""Prior authorization JSON <-> records: pure conversions for the 278 request and response.

* :func:`request_to_records`: a :class:`~schemas.prior_auth.PriorAuthRequest`
  as the records ``PriorAuthPlugin.write`` turns into a 278 request (guide
  "278", BHT02 13): the UMO (payer), the requester, the subscriber, the
  dependent when the patient is one, the patient event (``review``) with
  TRN*1 = the control number, and one ``service`` per requested procedure;
* :func:`response_from_records`: the records of a 278 response (guide "278R",
  BHT02 11) as a :class:`~schemas.prior_auth.PriorAuthResponse`.

A service the payer needs no precertification for is answered HCR*A1 (X12 has
no "not required" action) with the MSG ``NO PRECERTIFICATION REQUIRED``; the
JSON says ``precertificationRequired: false`` and gives it no certification
number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from schemas.prior_auth import NO_PRECERT_MESSAGE, PriorAuthRequest, PriorAuthResponse
from schemas.prior_auth import ServiceDecision as ServiceDecisionModel
from transactions.records import Record, money

Fields = dict[str, Any]

UMO = "party:umo:1"
REQUESTER = "party:requester:1"
SUBSCRIBER = "party:subscriber:1"
DEPENDENT = "party:dependent:1"
REVIEW = "review:1"

#: HCR01 of a service -> its JSON decision
SERVICE_DECISIONS = {"A1": "certified", "A3": "denied", "A4": "pended", "A6": "modified"}
#: HCR01 of the patient event -> the JSON status
Status = Literal["certified", "pended", "denied", "partially certified"]
STATUSES: dict[str, Status] = {
    "A1": "certified",
    "A2": "partially certified",
    "A6": "partially certified",
    "A3": "denied",
    "A4": "pended",
}


def _put(fields: Fields, name: str, value: Any) -> None:
    if value is not None and value not in ("", []):
        fields[name] = value


def originator(identifier: str) -> str:
    """TRN03: ``9`` and nine characters of an ID the sender is known by."""
    return "9" + identifier[:9].ljust(9, "0")


def request_to_records(
    request: PriorAuthRequest, *, when: dt.datetime | None = None
) -> list[Record]:
    """The records of a 278 request for ``request`` (``when``: BHT04/05, now when left out)."""
    now = when if when is not None else dt.datetime.now()
    records = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0007",
                "purposeCode": "13",
                "referenceIdentification": request.controlNumber,
                "creationDate": now.date().isoformat(),
                "creationTime": now.strftime("%H:%M"),
            },
        ),
        Record(
            "party",
            UMO,
            "transaction",
            fields={
                "role": "umo",
                "entityIdentifierCode": "X3",
                "entityType": "organization",
                "organizationName": request.tradingPartnerName or request.tradingPartnerServiceId,
                "idQualifier": "PI",
                "identifier": request.tradingPartnerServiceId,
            },
        ),
    ]
    req = request.requester
    rfields: Fields = {"role": "requester", "entityIdentifierCode": "1P"}
    if req.organizationName:
        rfields.update(entityType="organization", organizationName=req.organizationName)
    else:
        rfields["entityType"] = "person"
        _put(rfields, "lastName", req.lastName)
        _put(rfields, "firstName", req.firstName)
    rfields.update(idQualifier="XX", identifier=req.npi)
    records.append(Record("party", REQUESTER, UMO, fields=rfields, index={"npi": req.npi}))

    sub = request.subscriber
    sfields: Fields = {"role": "subscriber", "entityIdentifierCode": "IL", "entityType": "person"}
    _put(sfields, "lastName", sub.lastName)
    _put(sfields, "firstName", sub.firstName)
    _put(sfields, "middleName", sub.middleName)
    sfields.update(idQualifier="MI", identifier=sub.memberId)
    if sub.groupNumber:
        sfields["additionalIdentifiers"] = [{"qualifier": "6P", "identifier": sub.groupNumber}]
    if sub.dateOfBirth is not None:
        sfields["birthDate"] = sub.dateOfBirth.isoformat()
    _put(sfields, "gender", sub.gender)
    records.append(
        Record("party", SUBSCRIBER, REQUESTER, fields=sfields, index={"member_id": sub.memberId})
    )
    patient_key = SUBSCRIBER
    if request.patient is not None:
        pat = request.patient
        pfields: Fields = {
            "role": "dependent",
            "entityIdentifierCode": "QC",
            "entityType": "person",
        }
        _put(pfields, "lastName", pat.lastName)
        _put(pfields, "firstName", pat.firstName)
        _put(pfields, "middleName", pat.middleName)
        pfields["birthDate"] = pat.dateOfBirth.isoformat()
        _put(pfields, "gender", pat.gender)
        pfields.update(insuredIndicator="N", relationshipCode=pat.relationshipCode)
        records.append(Record("party", DEPENDENT, SUBSCRIBER, fields=pfields))
        patient_key = DEPENDENT

    rv = request.review
    trace_origin = originator(req.npi)
    review: Fields = {
        "traceNumbers": [
            {
                "traceTypeCode": "1",
                "referenceIdentification": request.controlNumber,
                "originatingCompanyIdentifier": trace_origin,
            }
        ],
        "requestCategoryCode": rv.requestCategoryCode,
        "certificationTypeCode": rv.certificationTypeCode,
        "serviceTypeCode": rv.serviceTypeCode,
    }
    if rv.placeOfService:
        review.update(facilityTypeCode=rv.placeOfService, facilityCodeQualifier="B")
    elif rv.facilityCode:
        review.update(facilityTypeCode=rv.facilityCode, facilityCodeQualifier="A")
    start, end = rv.eventDate, rv.eventDateEnd
    if rv.requestCategoryCode == "AR":
        _put(review, "admissionDate", start.isoformat() if start else None)
        _put(review, "dischargeDate", end.isoformat() if end else None)
    elif start is not None:
        review["eventDate"] = start.isoformat()
        if end is not None and end != start:
            review["eventDateEnd"] = end.isoformat()
    review["diagnoses"] = [
        {"diagnosisTypeCode": "ABK" if n == 0 else "ABF", "diagnosisCode": code}
        for n, code in enumerate(rv.diagnosisCodes)
    ]
    index: Fields = {"trace_number": request.controlNumber, "member_id": sub.memberId}
    if start is not None:
        index["service_date"] = start.isoformat()
    records.append(Record("review", REVIEW, patient_key, fields=review, index=index))

    for n, svc in enumerate(request.services, start=1):
        sv: Fields = {
            "traceNumbers": [
                {
                    "traceTypeCode": "1",
                    "referenceIdentification": f"{request.controlNumber}-{n}",
                    "originatingCompanyIdentifier": trace_origin,
                }
            ],
            "requestCategoryCode": rv.requestCategoryCode,
            "certificationTypeCode": rv.certificationTypeCode,
            "serviceTypeCode": svc.serviceTypeCode or rv.serviceTypeCode,
        }
        if svc.serviceDate is not None:
            sv["serviceDate"] = svc.serviceDate.isoformat()
        sv.update(
            serviceLineType="professional",
            productOrServiceIdQualifier="HC",
            procedureCode=svc.procedureCode,
        )
        _put(sv, "procedureModifiers", list(svc.modifiers))
        _put(sv, "chargeAmount", money(svc.chargeAmount))
        sv.update(measurementUnitCode="UN", serviceUnitCount=money(svc.units))
        sindex: Fields = {"code": svc.procedureCode, "member_id": sub.memberId}
        if svc.chargeAmount is not None:
            sindex["amount"] = money(svc.chargeAmount)
        if svc.serviceDate is not None:
            sindex["service_date"] = svc.serviceDate.isoformat()
        records.append(Record("service", f"{REVIEW}/service:{n}", REVIEW, fields=sv, index=sindex))
    return records


def _trace(fields: Fields, wanted: str) -> str | None:
    for t in fields.get("traceNumbers") or ():
        if t.get("traceTypeCode") == wanted and t.get("referenceIdentification"):
            return str(t["referenceIdentification"])
    return None


def _date(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(text)) if text else None


def response_from_records(records: list[Record]) -> PriorAuthResponse:
    """The decision in the records of a 278 response (the first patient event and its services)."""
    review = next((r for r in records if r.entity == "review"), None)
    fields: Fields = review.fields if review is not None else {}
    action = str(fields.get("actionCode") or "")
    status: Status = STATUSES.get(action, "pended")
    number = fields.get("certificationNumber")
    services = []
    for r in records:
        if r.entity != "service" or review is None or r.parent != review.key:
            continue
        f = r.fields
        code = str(f.get("actionCode") or "")
        decision = SERVICE_DECISIONS.get(code, "pended")
        required = f.get("message") != NO_PRECERT_MESSAGE
        delivery = f.get("serviceDelivery") or {}
        units = delivery.get("quantity") if delivery.get("quantityQualifier") == "FL" else None
        services.append(
            ServiceDecisionModel(
                procedureCode=f.get("procedureCode"),
                modifiers=f.get("procedureModifiers") or None,
                decision=decision,
                actionCode=code or None,
                precertificationRequired=required,
                certificationNumber=(
                    f.get("certificationNumber")
                    if required and decision in ("certified", "modified")
                    else None
                ),
                reasonCode=f.get("decisionReasonCode"),
                units=units or f.get("serviceUnitCount"),
                requestedUnits=f.get("serviceUnitCount"),
                validFrom=_date(f.get("certificationEffectiveDate")),
                validTo=_date(
                    f.get("certificationEffectiveDateEnd") or f.get("certificationEffectiveDate")
                ),
                message=f.get("message"),
            )
        )
    certified = status in ("certified", "partially certified")
    any_required = any(s.precertificationRequired and s.certificationNumber for s in services)
    return PriorAuthResponse(
        controlNumber=_trace(fields, "2"),
        status=status,
        actionCode=action or None,
        certificationNumber=number if certified and (any_required or not services) else None,
        reviewNumber=number,
        reasonCode=fields.get("decisionReasonCode"),
        precertificationRequired=any(s.precertificationRequired for s in services)
        if services
        else None,
        validFrom=_date(fields.get("certificationEffectiveDate")),
        validTo=_date(
            fields.get("certificationEffectiveDateEnd") or fields.get("certificationEffectiveDate")
        ),
        services=services,
    )
