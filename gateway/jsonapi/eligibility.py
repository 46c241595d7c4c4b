"""Eligibility JSON <-> records: pure conversions between the API models and the 270/271 records.

* :func:`request_to_records` / :func:`request_from_records`: an
  :class:`~schemas.eligibility.EligibilityRequest` and the records
  ``EligibilityPlugin.write`` turns into a 270 (BHT purpose 13, TRN*1 with the
  control number as the trace number);
* :func:`responses_from_records` / :func:`response_from_records`: the records
  of a 271 as one :class:`~schemas.eligibility.EligibilityResponse` per
  subscriber (one with only the payer and errors when the payer answered no
  subscriber); :func:`response_to_records` the other way (a 271 from JSON,
  e.g. for a test payer);
* :func:`in_network`: whether the benefits are in network for a provider
  (from :mod:`transactions.eligibility.estimate`).

Derived JSON (``planStatus``, ``planInformation.planType``/``hsa``/``hra``/
``fsa``/``tpa``, code names) is not written back: it follows from the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from schemas.eligibility import (
    COVERAGE_LEVELS,
    ELIGIBILITY_CODES,
    FOLLOW_UP_ACTIONS,
    NETWORK_INDICATORS,
    PLAN_STATUS_CODES,
    REJECT_REASONS,
    SERVICE_TYPES,
    TIME_QUALIFIERS,
    Address,
    Benefit,
    Contact,
    DateInformation,
    EligibilityRequest,
    EligibilityResponse,
    Encounter,
    Error,
    IndustryCode,
    Message,
    Payer,
    PlanInformation,
    PlanStatus,
    Provider,
    Reference,
    RelatedEntity,
    ResponseDependent,
    ResponseProvider,
    ResponseSubscriber,
    ServiceDelivery,
    Tpa,
)
from transactions.eligibility.codes import DATE_NAMES, RELATED_ROLES
from transactions.eligibility.estimate import NetworkStatus, in_network
from transactions.records import Record, money

Fields = dict[str, Any]

SOURCE = "party:information_source:1"
RECEIVER = "party:information_receiver:1"
_DATE_QUALIFIERS = {name: q for q, name in DATE_NAMES.items()}
_ACCOUNTS = {
    "hsa": re.compile(r"\bHSA\b|HEALTH SAVINGS", re.IGNORECASE),
    "hra": re.compile(r"\bHRA\b|HEALTH REIMBURSEMENT", re.IGNORECASE),
    "fsa": re.compile(r"\bFSA\b|FLEXIBLE SPENDING", re.IGNORECASE),
}
_COMMUNICATIONS = (
    ("phone", "TE"),
    ("extension", "EX"),
    ("fax", "FX"),
    ("email", "EM"),
    ("url", "UR"),
)


def _put(fields: Fields, name: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        fields[name] = value


def _originator(npi: str) -> str:
    """TRN03: ``9`` and nine digits (here the NPI's first nine) when nothing better is known."""
    return "9" + npi[:9]


def _clock(when: dt.datetime | None) -> dt.datetime:
    return when if when is not None else dt.datetime.now()  # local time, as BHT04/05


# request -----------------------------------------------------------------------------


def _service_dates(encounter: Encounter) -> list[Fields]:
    if encounter.dateOfService is not None:
        return [{"qualifier": "291", "date": encounter.dateOfService.isoformat()}]
    if encounter.beginningDateOfService is not None and encounter.endDateOfService is not None:
        return [
            {
                "qualifier": "291",
                "startDate": encounter.beginningDateOfService.isoformat(),
                "endDate": encounter.endDateOfService.isoformat(),
            }
        ]
    return []


def _inquiries(encounter: Encounter, person: str) -> list[Record]:
    out = [
        Record(
            "inquiry",
            f"{person}/inquiry:1",
            person,
            fields={"serviceTypeCodes": list(encounter.serviceTypeCodes)},
        )
    ]
    if encounter.procedureCode:
        out.append(
            Record(
                "inquiry",
                f"{person}/inquiry:2",
                person,
                fields={"procedureQualifier": "HC", "procedureCode": encounter.procedureCode},
            )
        )
    return out


def _provider_fields(provider: Provider | ResponseProvider) -> Fields:
    fields: Fields = {"role": "information_receiver", "entityIdentifierCode": "1P"}
    if provider.organizationName:
        fields["entityType"] = "organization"
        fields["organizationName"] = provider.organizationName
    else:
        fields["entityType"] = "person"
        _put(fields, "lastName", provider.lastName)
        _put(fields, "firstName", provider.firstName)
    if provider.npi:
        fields["idQualifier"] = "XX"
        fields["identifier"] = provider.npi
    return fields


def request_to_records(
    request: EligibilityRequest, *, when: dt.datetime | None = None
) -> list[Record]:
    """The records of a 270 for ``request`` (``when``: BHT04/05, now when left out)."""
    now = _clock(when)
    records = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0022",
                "purposeCode": "13",
                "referenceIdentification": request.controlNumber,
                "creationDate": now.date().isoformat(),
                "creationTime": now.strftime("%H:%M"),
            },
        ),
        Record(
            "party",
            SOURCE,
            fields={
                "role": "information_source",
                "entityIdentifierCode": "PR",
                "entityType": "organization",
                "organizationName": request.tradingPartnerName or request.tradingPartnerServiceId,
                "idQualifier": "PI",
                "identifier": request.tradingPartnerServiceId,
            },
        ),
        Record("party", RECEIVER, SOURCE, fields=_provider_fields(request.provider)),
    ]
    sub = request.subscriber
    key = "party:subscriber:1"
    fields: Fields = {"role": "subscriber", "entityIdentifierCode": "IL", "entityType": "person"}
    _put(fields, "lastName", sub.lastName)
    _put(fields, "firstName", sub.firstName)
    _put(fields, "middleName", sub.middleName)
    fields["idQualifier"] = "MI"
    fields["identifier"] = sub.memberId
    if sub.groupNumber:
        fields["additionalIdentifiers"] = [{"qualifier": "6P", "identifier": sub.groupNumber}]
    if sub.dateOfBirth is not None:
        fields["birthDate"] = sub.dateOfBirth.isoformat()
    _put(fields, "gender", sub.gender)
    trace: Fields = {
        "traceType": "1",
        "referenceIdentification": request.controlNumber,
        "originatingCompanyIdentifier": _originator(request.provider.npi),
    }
    patient_here = not request.dependents
    if patient_here:
        _put(fields, "dates", _service_dates(request.encounter))
    records.append(Record("party", key, RECEIVER, fields=fields))
    if patient_here:
        records.append(Record("trace", f"{key}/trace:1", key, fields=dict(trace)))
        records.extend(_inquiries(request.encounter, key))
    for n, dep in enumerate(request.dependents, start=1):
        dkey = f"party:dependent:{n}"
        dfields: Fields = {
            "role": "dependent",
            "entityIdentifierCode": "03",
            "entityType": "person",
        }
        _put(dfields, "lastName", dep.lastName)
        _put(dfields, "firstName", dep.firstName)
        _put(dfields, "middleName", dep.middleName)
        dfields["birthDate"] = dep.dateOfBirth.isoformat()
        _put(dfields, "gender", dep.gender)
        _put(dfields, "dates", _service_dates(request.encounter))
        records.append(Record("party", dkey, key, fields=dfields))
        records.append(Record("trace", f"{dkey}/trace:1", dkey, fields=dict(trace)))
        records.extend(_inquiries(request.encounter, dkey))
    return records


def _one(records: list[Record], role: str) -> Record | None:
    return next((r for r in records if r.entity == "party" and r.fields.get("role") == role), None)


def _children(
    records: list[Record], parent: str, entity: str, role: str | None = None
) -> list[Record]:
    return [
        r
        for r in records
        if r.parent == parent
        and r.entity == entity
        and (role is None or r.fields.get("role") == role)
    ]


def request_from_records(records: list[Record]) -> EligibilityRequest:
    """The request a 270's records ask (its first subscriber)."""
    source, receiver, sub = (
        _one(records, r) for r in ("information_source", "information_receiver", "subscriber")
    )
    if source is None or receiver is None or sub is None:
        raise ValueError("a 270 needs a payer, a provider and a subscriber")
    deps = _children(records, sub.key, "party", "dependent")
    patient = deps[0] if deps else sub
    trace = next((t for p in (sub, *deps) for t in _children(records, p.key, "trace")), None)
    control = trace.fields.get("referenceIdentification") if trace is not None else None
    if control is None:
        header = next((r for r in records if r.entity == "transaction"), None)
        control = header.fields.get("referenceIdentification") if header is not None else None
    payer_id = source.fields.get("payerId") or source.fields.get("identifier")
    payer_name = source.fields.get("organizationName")
    encounter: Fields = {}
    codes: list[str] = []
    for inquiry in _children(records, patient.key, "inquiry"):
        codes.extend(inquiry.fields.get("serviceTypeCodes", []))
        if inquiry.fields.get("procedureCode") and "procedureCode" not in encounter:
            encounter["procedureCode"] = inquiry.fields["procedureCode"]
    if codes:
        encounter["serviceTypeCodes"] = codes
    for item in patient.fields.get("dates", []):
        if item.get("qualifier") == "291":
            if item.get("date"):
                encounter["dateOfService"] = item["date"]
            elif item.get("startDate"):
                encounter["beginningDateOfService"] = item["startDate"]
                encounter["endDateOfService"] = item["endDate"]
            break
    sf = sub.fields
    subscriber: Fields = {
        "memberId": _derived(sf, "memberId", "MI"),
        "lastName": sf.get("lastName"),
    }
    for name in ("firstName", "middleName", "groupNumber", "gender"):
        _put(subscriber, name, sf.get(name))
    _put(subscriber, "dateOfBirth", sf.get("birthDate"))
    body: Fields = {
        "controlNumber": control,
        "tradingPartnerServiceId": payer_id,
        "provider": _provider_json(receiver.fields),
        "subscriber": subscriber,
        "encounter": encounter,
    }
    if payer_name and payer_name != payer_id:
        body["tradingPartnerName"] = payer_name
    dependents = []
    for dep in deps:
        df = dep.fields
        d: Fields = {
            "firstName": df.get("firstName"),
            "lastName": df.get("lastName"),
            "dateOfBirth": df.get("birthDate"),
        }
        _put(d, "middleName", df.get("middleName"))
        _put(d, "gender", df.get("gender"))
        dependents.append(d)
    _put(body, "dependents", dependents)
    return EligibilityRequest.model_validate(body)


def _derived(fields: Fields, name: str, qualifier: str) -> Any:
    """A derived ID (``npi``, ``memberId``), or the NM1 ID it comes from (records built by hand)."""
    if fields.get(name):
        return fields[name]
    return fields.get("identifier") if fields.get("idQualifier") == qualifier else None


def _provider_json(fields: Fields) -> Fields:
    out: Fields = {}
    if fields.get("entityType") == "organization":
        _put(out, "organizationName", fields.get("organizationName"))
    else:
        _put(out, "firstName", fields.get("firstName"))
        _put(out, "lastName", fields.get("lastName"))
    _put(out, "npi", _derived(fields, "npi", "XX"))
    return out


# response: records -> JSON --------------------------------------------------------------


def _dates_json(named: Fields | None) -> DateInformation | None:
    if not named:
        return None
    out: Fields = {}
    for name, value in named.items():
        if name not in DateInformation.model_fields:
            continue
        if isinstance(value, dict):
            value = f"{value.get('startDate')}/{value.get('endDate')}"
        if isinstance(value, str) and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?", value
        ):
            out[name] = value
    return DateInformation.model_validate(out) if out else None


def _dates_records(info: DateInformation | None) -> list[Fields]:
    if info is None:
        return []
    out: list[Fields] = []
    for name, value in info.model_dump(exclude_none=True).items():
        qualifier = _DATE_QUALIFIERS[name]
        if "/" in value:
            start, end = value.split("/")
            out.append({"qualifier": qualifier, "startDate": start, "endDate": end})
        else:
            out.append({"qualifier": qualifier, "date": value})
    return out


def _address_json(fields: Fields) -> Address | None:
    a = fields.get("address")
    if not a:
        return None
    return Address(
        address1=a.get("line1"),
        address2=a.get("line2"),
        city=a.get("city"),
        state=a.get("state"),
        postalCode=a.get("postalCode"),
    )


def _address_fields(address: Address | None) -> Fields:
    if address is None:
        return {}
    out: Fields = {}
    for name, key in (
        ("line1", address.address1),
        ("line2", address.address2),
        ("city", address.city),
        ("state", address.state),
        ("postalCode", address.postalCode),
    ):
        _put(out, name, key)
    return out


def _contacts_json(fields: Fields) -> list[Contact]:
    out = []
    for c in fields.get("contacts", []):
        contact: Fields = {"name": c.get("name")}
        for name, _ in _COMMUNICATIONS:
            contact[name] = c.get(name)
        out.append(Contact.model_validate(contact))
    return out


def _contacts_fields(contacts: list[Contact]) -> list[Fields]:
    out = []
    for c in contacts:
        item: Fields = {"functionCode": "IC"}
        _put(item, "name", c.name)
        comms = [
            {"qualifier": q, "number": getattr(c, name)}
            for name, q in _COMMUNICATIONS
            if getattr(c, name)
        ][:3]
        _put(item, "communications", comms)
        out.append(item)
    return out


def _errors(fields: Fields, field: str, level_loop: str, name_loop: str) -> list[Error]:
    out = []
    for loop, items in (
        (level_loop, fields.get("levelRejections", [])),
        (name_loop, fields.get("rejections", [])),
    ):
        for a in items:
            code, follow = a.get("rejectReasonCode"), a.get("followUpActionCode")
            valid = a.get("validRequestIndicator")
            out.append(
                Error(
                    field=field,
                    location=loop,
                    code=code,
                    description=REJECT_REASONS.get(code or ""),
                    followupAction=follow,
                    followupActionDescription=FOLLOW_UP_ACTIONS.get(follow or ""),
                    validRequest=None if valid is None else valid == "Y",
                )
            )
    return out


def _entity_json(party: Record) -> RelatedEntity:
    f = party.fields
    return RelatedEntity(
        entityIdentifier=f.get("entityIdentifierCode", ""),
        entityIdentifierName=f.get("role"),
        entityType=f.get("entityType")
        if f.get("entityType") in ("person", "organization")
        else None,
        entityName=f.get("organizationName") or f.get("lastName"),
        entityFirstName=f.get("firstName"),
        entityMiddleName=f.get("middleName"),
        entityIdentification=f.get("idQualifier"),
        entityIdentificationValue=f.get("identifier"),
        address=_address_json(f),
        contacts=_contacts_json(f),
        providerTaxonomy=f.get("taxonomy"),
    )


def _benefit_json(record: Record, records: list[Record]) -> Benefit:
    f = record.fields
    code = f.get("eligibilityOrBenefitInformationCode", "")
    services = list(f.get("serviceTypeCodes", []))
    return Benefit(
        code=code,
        name=ELIGIBILITY_CODES.get(code),
        coverageLevelCode=f.get("coverageLevelCode"),
        coverageLevel=COVERAGE_LEVELS.get(f.get("coverageLevelCode", "")),
        serviceTypeCodes=services,
        serviceTypes=[SERVICE_TYPES.get(s, s) for s in services],
        insuranceTypeCode=f.get("insuranceTypeCode"),
        planCoverage=f.get("planCoverageDescription"),
        timeQualifierCode=f.get("timeQualifierCode"),
        timeQualifier=TIME_QUALIFIERS.get(f.get("timeQualifierCode", "")),
        benefitAmount=_number(f.get("benefitAmount")),
        benefitPercent=_number(f.get("benefitPercent")),
        quantityQualifierCode=f.get("quantityQualifierCode"),
        quantity=_number(f.get("quantity")),
        authOrCertIndicator=f.get("authorizationOrCertificationIndicator"),
        inPlanNetworkIndicatorCode=f.get("inPlanNetworkIndicator"),
        inPlanNetworkIndicator=NETWORK_INDICATORS.get(f.get("inPlanNetworkIndicator", "")),
        procedureQualifier=f.get("procedureQualifier"),
        procedureCode=f.get("procedureCode"),
        procedureModifiers=list(f.get("procedureModifiers", [])),
        benefitsServiceDelivery=[
            ServiceDelivery(
                quantityQualifierCode=s.get("quantityQualifierCode"),
                quantity=_number(s.get("quantity")),
                unitForMeasurementCode=s.get("unitOrBasisForMeasurementCode"),
                sampleSelectionModulus=_number(s.get("sampleSelectionModulus")),
                timePeriodQualifier=s.get("timePeriodQualifier"),
                numOfPeriods=_number(s.get("numberOfPeriods")),
                deliveryFrequencyCode=s.get("deliveryFrequencyCode"),
                deliveryPatternTimeCode=s.get("deliveryPatternTimeCode"),
            )
            for s in f.get("serviceDeliveries", [])
        ],
        benefitsAdditionalInformation=[
            Reference.model_validate(r)
            for r in f.get("additionalIdentifiers", [])
            if r.get("qualifier")
        ],
        benefitsDateInformation=_dates_json(f.get("dateInformation")),
        additionalInformation=[Message(description=m) for m in f.get("messages", []) if m],
        eligibilityAdditionalInformation=[
            IndustryCode(
                codeListQualifierCode=i.get("qualifier"),
                industryCode=i.get("industryCode"),
                codeCategory=i.get("codeCategory"),
                text=i.get("text"),
            )
            for i in f.get("additionalInformation", [])
        ],
        benefitsRelatedEntity=[_entity_json(p) for p in _children(records, record.key, "party")],
    )


def _number(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _plan_status(benefits: list[Benefit]) -> list[PlanStatus]:
    return [
        PlanStatus.model_validate(
            {
                "statusCode": b.code,
                "status": ELIGIBILITY_CODES[b.code],
                "planDetails": b.planCoverage,
                "serviceTypeCodes": b.serviceTypeCodes,
            }
        )
        for b in benefits
        if b.code in PLAN_STATUS_CODES
    ]


def _person_json(fields: Fields) -> Fields:
    out: Fields = {}
    member = _derived(fields, "memberId", "MI") or next(
        (
            r.get("identifier")
            for r in fields.get("additionalIdentifiers", [])
            if r.get("qualifier") == "1W"
        ),
        None,
    )
    _put(out, "memberId", member)
    for name in (
        "firstName",
        "lastName",
        "middleName",
        "suffix",
        "gender",
        "groupNumber",
        "planNumber",
    ):
        _put(out, name, fields.get(name))
    _put(out, "dateOfBirth", fields.get("birthDate"))
    _put(out, "address", _address_json(fields))
    _put(out, "relationToSubscriberCode", fields.get("relationshipCode"))
    return out


def _benefit_errors(benefits: list[Record], prefix: str, loop: str) -> list[Error]:
    out: list[Error] = []
    for i, b in enumerate(benefits):
        out.extend(
            e.model_copy(update={"location": loop})
            for e in _errors(b.fields, f"{prefix}benefitsInformation[{i}]", loop, loop)
        )
    return out


def _plan_information(sub: Record, benefits: list[Benefit]) -> PlanInformation | None:
    f = sub.fields
    info: Fields = {}
    for name in (
        "groupNumber",
        "groupDescription",
        "planNumber",
        "planDescription",
        "policyNumber",
    ):
        _put(info, name, f.get(name))
    plan_type = next(
        (
            b.insuranceTypeCode
            for b in benefits
            if b.code in PLAN_STATUS_CODES and b.insuranceTypeCode
        ),
        None,
    )
    _put(info, "planType", plan_type)
    texts = [
        t
        for b in benefits
        for t in (b.planCoverage, *(m.description for m in b.additionalInformation))
        if t
    ]
    for flag, pattern in _ACCOUNTS.items():
        if any(pattern.search(t) for t in texts):
            info[flag] = True
    tpa = next(
        (e for b in benefits for e in b.benefitsRelatedEntity if e.entityIdentifier == "2B"),
        None,
    )
    if tpa is not None:
        contact = tpa.contacts[0] if tpa.contacts else None
        info["tpa"] = Tpa(
            name=tpa.entityName,
            phone=contact.phone if contact else None,
            email=contact.email if contact else None,
            identification=tpa.entityIdentificationValue,
        )
    return PlanInformation.model_validate(info) if info else None


def responses_from_records(records: list[Record]) -> list[EligibilityResponse]:
    """One response per subscriber of a 271 (one without a subscriber when there is none)."""
    header = next((r for r in records if r.entity == "transaction"), None)
    source = _one(records, "information_source")
    receiver = _one(records, "information_receiver")
    base: Fields = {}
    errors: list[Error] = []
    if header is not None:
        _put(base, "referenceIdentification", header.fields.get("referenceIdentification"))
    if source is not None:
        sf = source.fields
        payer_id = sf.get("payerId") or sf.get("identifier")
        _put(base, "tradingPartnerServiceId", payer_id)
        base["payer"] = Payer(
            name=sf.get("organizationName") or sf.get("lastName"),
            payorIdentification=payer_id,
            contacts=_contacts_json(sf),
        )
        errors += _errors(sf, "payer", "2000A", "2100A")
    if receiver is not None:
        base["provider"] = ResponseProvider.model_validate(_provider_json(receiver.fields))
        errors += _errors(receiver.fields, "provider", "2000B", "2100B")
    subscribers = (
        _children(records, receiver.key, "party", "subscriber") if receiver is not None else []
    )
    if not subscribers:
        return [EligibilityResponse.model_validate({**base, "errors": errors})]
    out = []
    for sub in subscribers:
        body = dict(base)
        sub_errors = list(errors)
        deps = _children(records, sub.key, "party", "dependent")
        trace = next(
            (
                t
                for p in (sub, *deps)
                for t in _children(records, p.key, "trace")
                if t.fields.get("traceType") == "2"
            ),
            None,
        ) or next((t for p in (sub, *deps) for t in _children(records, p.key, "trace")), None)
        if trace is not None:
            _put(body, "controlNumber", trace.fields.get("referenceIdentification"))
        benefit_records = _children(records, sub.key, "benefit")
        benefits = [_benefit_json(b, records) for b in benefit_records]
        body["subscriber"] = ResponseSubscriber.model_validate(_person_json(sub.fields))
        sub_errors += _errors(sub.fields, "subscriber", "2000C", "2100C")
        sub_errors += _benefit_errors(benefit_records, "", "2110C")
        dependents = []
        for i, dep in enumerate(deps):
            dep_records = _children(records, dep.key, "benefit")
            dep_benefits = [_benefit_json(b, records) for b in dep_records]
            d = _person_json(dep.fields)
            d["planStatus"] = _plan_status(dep_benefits)
            d["planDateInformation"] = _dates_json(dep.fields.get("dateInformation"))
            d["benefitsInformation"] = dep_benefits
            dependents.append(ResponseDependent.model_validate(d))
            sub_errors += _errors(dep.fields, f"dependents[{i}]", "2000D", "2100D")
            sub_errors += _benefit_errors(dep_records, f"dependents[{i}].", "2110D")
        body["dependents"] = dependents
        body["planStatus"] = _plan_status(benefits)
        all_benefits = benefits + [b for d in dependents for b in d.benefitsInformation]
        body["planInformation"] = _plan_information(sub, all_benefits)
        body["planDateInformation"] = _dates_json(sub.fields.get("dateInformation"))
        body["benefitsInformation"] = benefits
        body["errors"] = sub_errors
        out.append(EligibilityResponse.model_validate(body))
    return out


def response_from_records(records: list[Record]) -> EligibilityResponse:
    """The response for the first subscriber of a 271 (see :func:`responses_from_records`)."""
    return responses_from_records(records)[0]


# response: JSON -> records --------------------------------------------------------------


def _rejections(errors: list[Error], field: str, location: str) -> list[Fields]:
    out = []
    for e in errors:
        if e.field == field and e.location == location:
            item: Fields = {}
            if e.validRequest is not None:
                item["validRequestIndicator"] = "Y" if e.validRequest else "N"
            _put(item, "rejectReasonCode", e.code)
            _put(item, "followUpActionCode", e.followupAction)
            out.append(item)
    return out


def _person_fields(
    person: ResponseSubscriber,
    role: str,
    plan: PlanInformation | None,
    dates: DateInformation | None,
) -> Fields:
    f: Fields = {
        "role": role,
        "entityIdentifierCode": "IL" if role == "subscriber" else "03",
        "entityType": "person",
    }
    _put(f, "lastName", person.lastName)
    _put(f, "firstName", person.firstName)
    _put(f, "middleName", person.middleName)
    _put(f, "suffix", person.suffix)
    refs: list[Fields] = []
    if role == "subscriber" and person.memberId:
        f["idQualifier"] = "MI"
        f["identifier"] = person.memberId
    elif person.memberId:
        refs.append({"qualifier": "1W", "identifier": person.memberId})
    group = (plan.groupNumber if plan else None) or person.groupNumber
    if group:
        ref = {"qualifier": "6P", "identifier": group}
        _put(ref, "description", plan.groupDescription if plan else None)
        refs.append(ref)
    number = (plan.planNumber if plan else None) or person.planNumber
    if number:
        ref = {"qualifier": "18", "identifier": number}
        _put(ref, "description", plan.planDescription if plan else None)
        refs.append(ref)
    if plan is not None and plan.policyNumber:
        refs.append({"qualifier": "IG", "identifier": plan.policyNumber})
    _put(f, "additionalIdentifiers", refs)
    _put(f, "address", _address_fields(person.address))
    if person.dateOfBirth is not None:
        f["birthDate"] = person.dateOfBirth.isoformat()
    _put(f, "gender", person.gender)
    if person.relationToSubscriberCode:
        f["insuredIndicator"] = "Y" if role == "subscriber" else "N"
        f["relationshipCode"] = person.relationToSubscriberCode
    _put(f, "dates", _dates_records(dates))
    return f


def _benefit_records(
    benefits: list[Benefit], person: str, errors: list[Error], prefix: str, loop: str
) -> list[Record]:
    out: list[Record] = []
    for i, b in enumerate(benefits):
        key = f"{person}/benefit:{i + 1}"
        f: Fields = {"eligibilityOrBenefitInformationCode": b.code}
        _put(f, "coverageLevelCode", b.coverageLevelCode)
        _put(f, "serviceTypeCodes", list(b.serviceTypeCodes))
        _put(f, "insuranceTypeCode", b.insuranceTypeCode)
        _put(f, "planCoverageDescription", b.planCoverage)
        _put(f, "timeQualifierCode", b.timeQualifierCode)
        _put(f, "benefitAmount", money(b.benefitAmount))
        _put(f, "benefitPercent", money(b.benefitPercent))
        _put(f, "quantityQualifierCode", b.quantityQualifierCode)
        _put(f, "quantity", money(b.quantity))
        _put(f, "authorizationOrCertificationIndicator", b.authOrCertIndicator)
        _put(f, "inPlanNetworkIndicator", b.inPlanNetworkIndicatorCode)
        _put(f, "procedureQualifier", b.procedureQualifier or ("HC" if b.procedureCode else None))
        _put(f, "procedureCode", b.procedureCode)
        _put(f, "procedureModifiers", list(b.procedureModifiers))
        deliveries = []
        for s in b.benefitsServiceDelivery:
            item: Fields = {}
            _put(item, "quantityQualifierCode", s.quantityQualifierCode)
            _put(item, "quantity", money(s.quantity))
            _put(item, "unitOrBasisForMeasurementCode", s.unitForMeasurementCode)
            _put(item, "sampleSelectionModulus", money(s.sampleSelectionModulus))
            _put(item, "timePeriodQualifier", s.timePeriodQualifier)
            _put(item, "numberOfPeriods", money(s.numOfPeriods))
            _put(item, "deliveryFrequencyCode", s.deliveryFrequencyCode)
            _put(item, "deliveryPatternTimeCode", s.deliveryPatternTimeCode)
            deliveries.append(item)
        _put(f, "serviceDeliveries", deliveries)
        _put(
            f,
            "additionalIdentifiers",
            [r.model_dump(exclude_none=True) for r in b.benefitsAdditionalInformation],
        )
        _put(f, "dates", _dates_records(b.benefitsDateInformation))
        _put(f, "rejections", _rejections(errors, f"{prefix}benefitsInformation[{i}]", loop))
        _put(f, "messages", [m.description for m in b.additionalInformation])
        info = []
        for c in b.eligibilityAdditionalInformation:
            item = {}
            _put(item, "qualifier", c.codeListQualifierCode)
            _put(item, "industryCode", c.industryCode)
            _put(item, "codeCategory", c.codeCategory)
            _put(item, "text", c.text)
            info.append(item)
        _put(f, "additionalInformation", info)
        out.append(Record("benefit", key, person, fields=f))
        for n, e in enumerate(b.benefitsRelatedEntity, start=1):
            out.append(Record("party", f"{key}/party:related:{n}", key, fields=_entity_fields(e)))
    return out


def _entity_fields(e: RelatedEntity) -> Fields:
    f: Fields = {
        "role": RELATED_ROLES.get(e.entityIdentifier, "benefit_related_entity"),
        "entityIdentifierCode": e.entityIdentifier,
    }
    _put(f, "entityType", e.entityType)
    name_field = "organizationName" if e.entityType == "organization" else "lastName"
    _put(f, name_field, e.entityName)
    _put(f, "firstName", e.entityFirstName)
    _put(f, "middleName", e.entityMiddleName)
    _put(f, "idQualifier", e.entityIdentification)
    _put(f, "identifier", e.entityIdentificationValue)
    _put(f, "address", _address_fields(e.address))
    _put(f, "contacts", _contacts_fields(e.contacts))
    if e.providerTaxonomy:
        code = "PC" if e.entityIdentifier == "P3" else "PE"
        f["providerInformation"] = {
            "providerCode": code,
            "qualifier": "PXC",
            "identifier": e.providerTaxonomy,
        }
    return f


def response_to_records(
    response: EligibilityResponse, *, when: dt.datetime | None = None
) -> list[Record]:
    """The records of a 271 for ``response`` (BHT purpose 11; ``when``: BHT04/05)."""
    now = _clock(when)
    errors = response.errors
    records = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0022",
                "purposeCode": "11",
                "referenceIdentification": response.referenceIdentification
                or response.controlNumber
                or "0",
                "creationDate": now.date().isoformat(),
                "creationTime": now.strftime("%H:%M"),
            },
        )
    ]
    payer_id = response.payer.payorIdentification or response.tradingPartnerServiceId
    source: Fields = {
        "role": "information_source",
        "entityIdentifierCode": "PR",
        "entityType": "organization",
    }
    _put(source, "organizationName", response.payer.name or payer_id)
    if payer_id:
        source["idQualifier"] = "PI"
        source["identifier"] = payer_id
    _put(source, "contacts", _contacts_fields(response.payer.contacts))
    _put(source, "levelRejections", _rejections(errors, "payer", "2000A"))
    _put(source, "rejections", _rejections(errors, "payer", "2100A"))
    records.append(Record("party", SOURCE, fields=source))
    if response.provider is None:
        return records
    receiver = _provider_fields(response.provider)
    _put(receiver, "levelRejections", _rejections(errors, "provider", "2000B"))
    _put(receiver, "rejections", _rejections(errors, "provider", "2100B"))
    records.append(Record("party", RECEIVER, SOURCE, fields=receiver))
    if response.subscriber is None:
        return records
    key = "party:subscriber:1"
    sub = _person_fields(
        response.subscriber, "subscriber", response.planInformation, response.planDateInformation
    )
    _put(sub, "levelRejections", _rejections(errors, "subscriber", "2000C"))
    _put(sub, "rejections", _rejections(errors, "subscriber", "2100C"))
    records.append(Record("party", key, RECEIVER, fields=sub))
    trace: Fields = {
        "traceType": "2",
        "referenceIdentification": response.controlNumber or "0",
        "originatingCompanyIdentifier": _originator(response.provider.npi or "000000000"),
    }
    records.append(Record("trace", f"{key}/trace:1", key, fields=dict(trace)))
    records += _benefit_records(response.benefitsInformation, key, errors, "", "2110C")
    for i, dep in enumerate(response.dependents):
        dkey = f"party:dependent:{i + 1}"
        d = _person_fields(dep, "dependent", None, dep.planDateInformation)
        _put(d, "levelRejections", _rejections(errors, f"dependents[{i}]", "2000D"))
        _put(d, "rejections", _rejections(errors, f"dependents[{i}]", "2100D"))
        records.append(Record("party", dkey, key, fields=d))
        records.append(Record("trace", f"{dkey}/trace:1", dkey, fields=dict(trace)))
        records += _benefit_records(
            dep.benefitsInformation, dkey, errors, f"dependents[{i}].", "2110D"
        )
    return records


__all__ = [
    "NetworkStatus",
    "in_network",
    "request_from_records",
    "request_to_records",
    "response_from_records",
    "response_to_records",
    "responses_from_records",
]
