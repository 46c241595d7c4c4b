"""Claim status JSON <-> 276/277 records.

:func:`request_records` / :func:`request_x12` turn a :class:`ClaimStatusRequest`
into the claim status plugin's 276 records (and an interchange);
:func:`request_view` reads them back; :func:`status_response` turns 277 (or
277CA) records into a :class:`ClaimStatusResponse` with the status texts filled in.
Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gateway.jsonapi.codes import STATUS, STATUS_CATEGORY, describe
from schemas.claim_status import (
    ClaimStatus,
    ClaimStatusClaim,
    ClaimStatusEncounter,
    ClaimStatusRequest,
    ClaimStatusResponse,
    StatusDependent,
    StatusPayer,
    StatusProvider,
    StatusServiceLine,
    StatusSubscriber,
)
from transactions.claim_status import ClaimStatusPlugin
from transactions.emit import emit
from transactions.records import Record

__all__ = ["request_records", "request_view", "request_x12", "status_response"]

Fields = dict[str, Any]


def _put(fields: Fields, name: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        fields[name] = value


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _period(fields: Fields, start: dt.date | None, end: dt.date | None) -> None:
    """D8 ``serviceDate`` without an end date, RD8 start and end with one."""
    if start is None:
        return
    if end is None:
        fields["serviceDate"] = start.isoformat()
    else:
        fields["serviceStartDate"] = start.isoformat()
        fields["serviceEndDate"] = end.isoformat()


def _named(fields: Fields, org: str | None, last: str | None, first: str | None) -> None:
    if org:
        fields.update(entityType="organization", organizationName=org)
    else:
        fields["entityType"] = "person"
        _put(fields, "lastName", last)
        _put(fields, "firstName", first)


def request_records(req: ClaimStatusRequest, *, when: dt.datetime | None = None) -> list[Record]:
    """The claim status plugin's 276 records of one request."""
    when = when or dt.datetime.now()
    out = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0010",
                "purposeCode": "13",
                "referenceIdentification": req.controlNumber,
                "creationDate": when.date().isoformat(),
                "creationTime": when.strftime("%H:%M"),
            },
        ),
        Record(
            "party",
            "party:payer:1",
            fields={
                "role": "payer",
                "entityType": "organization",
                "organizationName": req.tradingPartnerName or req.tradingPartnerServiceId,
                "idQualifier": "PI",
                "identifier": req.tradingPartnerServiceId,
            },
        ),
    ]
    rcv = req.information_receiver()
    fields: Fields = {"role": "information_receiver"}
    _named(fields, rcv.organizationName, rcv.lastName, rcv.firstName)
    fields.update(idQualifier="46", identifier=rcv.etin)
    out.append(Record("party", "party:information_receiver:1", "party:payer:1", fields=fields))
    prov = req.provider()
    fields = {"role": "service_provider"}
    _named(fields, prov.organizationName, prov.lastName, prov.firstName)
    if prov.npi:
        fields.update(idQualifier="XX", identifier=prov.npi)
    else:
        fields.update(idQualifier="FI", identifier=prov.taxId)
    out.append(
        Record("party", "party:service_provider:1", "party:information_receiver:1", fields=fields)
    )
    s = req.subscriber
    fields = {"role": "subscriber"}
    _put(fields, "birthDate", _iso(s.dateOfBirth))
    _put(fields, "gender", s.gender)
    fields.update(entityType="person", lastName=s.lastName)
    _put(fields, "firstName", s.firstName)
    _put(fields, "middleName", s.middleName)
    fields.update(idQualifier="MI", identifier=s.memberId)
    out.append(
        Record(
            "party",
            "party:subscriber:1",
            "party:service_provider:1",
            fields=fields,
            index={"member_id": s.memberId},
        )
    )
    parent = "party:subscriber:1"
    d = req.dependent
    if d is not None:
        fields = {"role": "dependent"}
        _put(fields, "birthDate", _iso(d.dateOfBirth))
        _put(fields, "gender", d.gender)
        fields.update(entityType="person", lastName=d.lastName)
        _put(fields, "firstName", d.firstName)
        _put(fields, "middleName", d.middleName)
        out.append(Record("party", "party:dependent:1", parent, fields=fields))
        parent = "party:dependent:1"
    e = req.encounter
    fields = {"traceNumber": e.trackingNumber or req.controlNumber}
    _put(fields, "payerClaimControlNumber", e.payerClaimControlNumber)
    _put(fields, "patientControlNumber", e.patientControlNumber)
    _put(fields, "billTypeCode", e.billTypeIdentifier)
    _put(fields, "claimChargeAmount", e.submittedAmount)
    _period(fields, e.beginningDateOfService, e.endDateOfService)
    out.append(Record("claim_status_request", "request:1", parent, fields=fields))
    for n, line in enumerate(req.serviceLines, 1):
        fields = {}
        if line.procedureCode:
            fields["procedureQualifier"] = line.procedureIdentifier or "HC"
            fields["procedureCode"] = line.procedureCode
            _put(fields, "procedureModifiers", list(line.procedureModifiers))
        _put(fields, "lineItemChargeAmount", line.chargeAmount)
        _put(fields, "revenueCode", line.revenueCode)
        _put(fields, "originalUnitsOfService", line.unitCount)
        _put(fields, "lineItemControlNumber", line.lineItemControlNumber)
        _period(fields, line.beginningDateOfService, line.endDateOfService)
        out.append(Record("service_line_status", f"request:1/line:{n}", "request:1", fields=fields))
    return out


def request_x12(
    req: ClaimStatusRequest,
    *,
    sender: tuple[str, str] = ("ZZ", "X12GW"),
    receiver: tuple[str, str] | None = None,
    interchange_control: int = 1,
    usage: str = "P",
    when: dt.datetime | None = None,
) -> bytes:
    """The request as a 276 interchange (ST02 = ``controlNumber``)."""
    return emit(
        ClaimStatusPlugin(),
        request_records(req, when=when),
        guide="276",
        sender=sender,
        receiver=receiver or ("ZZ", req.tradingPartnerServiceId),
        control=interchange_control,
        st02=req.controlNumber.zfill(4),
        usage=usage,
        when=when,
    )


# records -> JSON -------------------------------------------------------------------


def _date(value: Any) -> Any:
    """An ISO date as a date; other text (kept by a lenient read) as it is."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _dates(fields: Fields) -> tuple[Any, Any]:
    if fields.get("serviceDate"):
        return _date(fields["serviceDate"]), None
    return _date(fields.get("serviceStartDate")), _date(fields.get("serviceEndDate"))


def _line(f: Fields, statuses: bool) -> StatusServiceLine:
    start, end = _dates(f)
    return StatusServiceLine(
        procedureIdentifier=f.get("procedureQualifier"),
        procedureCode=f.get("procedureCode"),
        procedureModifiers=f.get("procedureModifiers") or [],
        revenueCode=f.get("revenueCode"),
        chargeAmount=f.get("lineItemChargeAmount"),
        amountPaid=f.get("lineItemProviderPaymentAmount") if statuses else None,
        unitCount=f.get("originalUnitsOfService"),
        lineItemControlNumber=f.get("lineItemControlNumber"),
        beginningDateOfService=start,
        endDateOfService=end,
        claimStatus=[_status(s) for s in f.get("statuses") or []] if statuses else [],
    )


def _identifier(fields: Fields, qualifier: str) -> str | None:
    value = fields.get("identifier")
    return str(value) if value and fields.get("idQualifier") == qualifier else None


def request_view(records: list[Record]) -> ClaimStatusRequest:
    """The first inquiry of a 276's records as a :class:`ClaimStatusRequest`."""
    by_key = {r.key: r for r in records}
    request = next(r for r in records if r.entity == "claim_status_request")
    chain = _parties(request, by_key)
    payer = chain.get("payer", {})
    rcv = chain.get("information_receiver", {})
    prov = chain.get("service_provider", {})
    f = request.fields
    start, end = _dates(f)
    header = by_key.get("transaction")
    return ClaimStatusRequest(
        controlNumber=header.fields.get("referenceIdentification", "") if header else "",
        tradingPartnerServiceId=payer.get("identifier", ""),
        tradingPartnerName=payer.get("organizationName"),
        providers=[
            StatusProvider(
                providerType="InformationReceiver",
                organizationName=rcv.get("organizationName"),
                lastName=rcv.get("lastName"),
                firstName=rcv.get("firstName"),
                etin=rcv.get("identifier"),
            ),
            StatusProvider(
                providerType="BillingProvider",
                organizationName=prov.get("organizationName"),
                lastName=prov.get("lastName"),
                firstName=prov.get("firstName"),
                npi=_identifier(prov, "XX"),
                taxId=_identifier(prov, "FI"),
            ),
        ],
        subscriber=_subscriber(chain.get("subscriber", {})),
        dependent=_dependent(chain.get("dependent")),
        encounter=ClaimStatusEncounter(
            trackingNumber=f.get("traceNumber"),
            beginningDateOfService=start,
            endDateOfService=end,
            patientControlNumber=f.get("patientControlNumber"),
            payerClaimControlNumber=f.get("payerClaimControlNumber"),
            submittedAmount=f.get("claimChargeAmount"),
            billTypeIdentifier=f.get("billTypeCode"),
        ),
        serviceLines=[
            _line(r.fields, False)
            for r in records
            if r.entity == "service_line_status" and r.parent == request.key
        ],
    )


def _parties(record: Record, by_key: dict[str, Record]) -> dict[str, Fields]:
    """The party records above ``record``, by role."""
    out: dict[str, Fields] = {}
    parent = by_key.get(record.parent or "")
    while parent is not None:
        if parent.entity == "party":
            out.setdefault(str(parent.fields.get("role")), parent.fields)
        parent = by_key.get(parent.parent or "")
    return out


def _subscriber(s: Fields) -> StatusSubscriber:
    return StatusSubscriber(
        memberId=s.get("memberId") or s.get("identifier") or "",
        firstName=s.get("firstName"),
        lastName=s.get("lastName") or s.get("organizationName") or "",
        middleName=s.get("middleName"),
        dateOfBirth=s.get("birthDate"),
        gender=s.get("gender"),
    )


def _dependent(d: Fields | None) -> StatusDependent | None:
    if d is None:
        return None
    return StatusDependent(
        firstName=d.get("firstName"),
        lastName=d.get("lastName", ""),
        middleName=d.get("middleName"),
        dateOfBirth=d.get("birthDate"),
        gender=d.get("gender"),
    )


def _status(s: Fields) -> ClaimStatus:
    category = s.get("categoryCode")
    code = s.get("statusCode")
    return ClaimStatus(
        statusCategoryCode=category or "",
        statusCategoryCodeValue=describe(STATUS_CATEGORY, category),
        statusCode=code,
        statusCodeValue=describe(STATUS, code),
        entityCode=s.get("entityIdentifierCode"),
        effectiveDate=_date(s.get("statusEffectiveDate")),
        submittedAmount=s.get("totalClaimChargeAmount"),
        amountPaid=s.get("claimPaymentAmount"),
        adjudicatedFinalizedDate=_date(s.get("adjudicationDate")),
        paymentMethodCode=s.get("paymentMethodCode"),
        paidDate=_date(s.get("checkIssueDate")),
        checkNumber=s.get("checkNumber"),
        additionalStatuses=[
            _status(extra)
            for extra in s.get("additionalStatuses") or []
            if extra.get("categoryCode")
        ],
        message=s.get("message"),
    )


def status_response(records: list[Record]) -> ClaimStatusResponse:
    """A 277's (or 277CA's) records as a :class:`ClaimStatusResponse`: one claim per 2200D/E."""
    by_key = {r.key: r for r in records}
    header = by_key.get("transaction")
    source = next(
        (
            r.fields
            for r in records
            if r.entity == "party" and r.fields.get("role") in ("payer", "information_source")
        ),
        {},
    )
    contact = (source.get("contacts") or [{}])[0]
    numbers = {c.get("qualifier"): c.get("number") for c in contact.get("communications", [])}
    claims = []
    for rec in records:
        if rec.entity != "claim_status" or rec.fields.get("loop") not in ("2200D", "2200E"):
            continue
        f = rec.fields
        chain = _parties(rec, by_key)
        provider = chain.get("service_provider") or chain.get("billing_provider") or {}
        start, end = _dates(f)
        claims.append(
            ClaimStatusClaim(
                trackingNumber=f.get("traceNumber"),
                patientControlNumber=f.get("patientControlNumber"),
                payerClaimControlNumber=f.get("payerClaimControlNumber"),
                billTypeIdentifier=f.get("billTypeCode"),
                voucherIdentifier=f.get("voucherIdentifier"),
                providerNpi=_identifier(provider, "XX"),
                subscriber=_subscriber(chain["subscriber"]) if "subscriber" in chain else None,
                dependent=_dependent(chain.get("dependent") or chain.get("patient")),
                beginningDateOfService=start,
                endDateOfService=end,
                claimStatus=[_status(s) for s in f.get("statuses") or []],
                serviceLines=[
                    _line(r.fields, True)
                    for r in records
                    if r.entity == "service_line_status" and r.parent == rec.key
                ],
            )
        )
    return ClaimStatusResponse(
        controlNumber=header.fields.get("referenceIdentification") if header else None,
        tradingPartnerServiceId=source.get("identifier"),
        payer=StatusPayer(
            organizationName=source.get("organizationName") or source.get("lastName"),
            payerIdentification=source.get("identifier"),
            contactName=contact.get("name"),
            phoneNumber=numbers.get("TE"),
            email=numbers.get("EM"),
        )
        if source
        else None,
        claims=claims,
    )
