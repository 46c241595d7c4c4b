"""Institutional claim JSON <-> 837I records: :class:`InstitutionalClaimSubmission` to records and
X12, stored records to :class:`InstitutionalClaimView`.

Pure functions. The parties are written and read by :mod:`gateway.jsonapi.claims`;
this module does the 2300 claim (CLM with the facility code, DTP 434/435/096,
CL1, REF, HI principal/admitting/other diagnoses with present-on-admission),
the attending and operating providers and the SV2 lines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gateway.jsonapi.claims import (
    CLAIM_KEY,
    ClaimParts,
    Fields,
    claim_parts,
    claim_record,
    date_of,
    emit_claim,
    name,
    party_records,
    put,
    value,
)
from gateway.jsonapi.claims_cob import addenda_fields, addenda_json, other_payer_records
from schemas.claims_institutional import (
    AdmittingDiagnosis,
    AttendingProvider,
    ClaimCodeInformation,
    ClaimDateInformation,
    ConditionInformation,
    ExternalCauseOfInjury,
    InstitutionalClaimInformation,
    InstitutionalClaimSubmission,
    InstitutionalClaimView,
    InstitutionalService,
    InstitutionalServiceLine,
    OccurrenceInformation,
    OccurrenceSpanInformation,
    OperatingProvider,
    OtherDiagnosis,
    OtherProcedureInformation,
    PatientReasonForVisit,
    PrincipalDiagnosis,
    PrincipalProcedureInformation,
    TreatmentCodeInformation,
    ValueInformation,
)
from transactions.records import Record

__all__ = [
    "GUIDE",
    "institutional_records",
    "institutional_views",
    "institutional_x12",
]

GUIDE = "837I"
_PRINCIPAL = frozenset({"ABK", "BK"})
_ADMITTING = frozenset({"ABJ", "BJ"})
_REASON = frozenset({"APR", "PR"})
_EXTERNAL = frozenset({"ABN", "BN"})


def _hour_in(hour: str | None) -> str | None:
    """HHMM (JSON) to the records' HH:MM."""
    return f"{hour[:2]}:{hour[2:]}" if hour else None


def _hour_out(text: str | None) -> str | None:
    """The records' HH:MM[:SS] to HHMM."""
    return text.replace(":", "")[:4] if text else None


def institutional_records(
    claim: InstitutionalClaimSubmission,
    *,
    sender_id: str = "X12GW",
    when: dt.datetime | None = None,
) -> list[Record]:
    """The claims plugin's 837I records of one submitted institutional claim."""
    info = claim.claimInformation
    out, parent = party_records(claim, info.claimFilingCode, sender_id=sender_id, when=when)
    dates = info.claimDateInformation
    codes = info.claimCodeInformation
    admission = None
    if dates.admissionDate is not None:
        admission = dates.admissionDate.isoformat()
        if dates.admissionHour:
            admission += f"T{_hour_in(dates.admissionHour)}"
    fields: Fields = {
        "patientControlNumber": info.patientControlNumber,
        "claimChargeAmount": info.claimChargeAmount,
        "facilityTypeCode": info.placeOfServiceCode,
        "claimFrequencyCode": info.claimFrequencyCode,
        "planParticipationCode": info.planParticipationCode,
        "benefitsAssignmentCertificationIndicator": info.benefitsAssignmentCertificationIndicator,
        "releaseInformationCode": info.releaseInformationCode,
        "statementFromDate": dates.statementBeginDate.isoformat(),
        "statementToDate": dates.statementEndDate.isoformat(),
        "admissionTypeCode": codes.admissionTypeCode,
        "patientStatusCode": codes.patientStatusCode,
    }
    put(fields, "admissionDate", admission)
    put(fields, "dischargeHour", _hour_in(dates.dischargeHour))
    put(fields, "admissionSourceCode", codes.admissionSourceCode)
    put(fields, "priorAuthorizationNumber", info.priorAuthorizationNumber)
    put(fields, "referralNumber", info.referralNumber)
    put(fields, "payerClaimControlNumber", info.payerClaimControlNumber)
    put(fields, "medicalRecordNumber", info.medicalRecordNumber)
    fields.update(_code_lists(info))
    addenda_fields(fields, info.claimSupplementalInformation, info.claimNote)
    key = CLAIM_KEY
    out.append(claim_record(fields, parent))
    out.extend(_diagnoses(info, key))
    for role, person in (
        ("attending", info.attendingProvider),
        ("operating", info.operatingProvider),
    ):
        if person is not None:
            fields = {"role": role}
            name(fields, None, person.lastName, person.firstName)
            put(fields, "middleName", person.middleName)
            put(fields, "suffix", person.suffix)
            fields["npi"] = person.npi
            put(fields, "taxonomy", getattr(person, "taxonomyCode", None))
            out.append(Record("party", f"{key}/party:{role}", key, fields=fields))
    out.extend(other_payer_records(info.otherSubscriberInformation, key))
    out.extend(_line(n, line, key) for n, line in enumerate(info.serviceLines, 1))
    return out


def _code_lists(info: InstitutionalClaimInformation) -> Fields:
    """The HI code lists the claim record keeps as fields (procedures, occurrences, values,
    conditions, treatments), in the claims plugin's shapes."""
    fields: Fields = {}
    p = info.principalProcedureInformation
    if p is not None:
        fields["principalProcedure"] = {
            "qualifier": p.qualifierCode,
            "code": p.principalProcedureCode,
            "date": p.principalProcedureDate.isoformat(),
        }
    put(
        fields,
        "otherProcedures",
        [
            {
                "qualifier": o.qualifierCode,
                "code": o.otherProcedureCode,
                "date": o.otherProcedureDate.isoformat(),
            }
            for o in info.otherProcedureInformationList
        ],
    )
    put(
        fields,
        "occurrenceSpanCodes",
        [
            {
                "code": o.occurrenceSpanCode,
                "fromDate": o.occurrenceSpanCodeStartDate.isoformat(),
                "toDate": o.occurrenceSpanCodeEndDate.isoformat(),
            }
            for o in info.occurrenceSpanInformations
        ],
    )
    put(
        fields,
        "occurrenceCodes",
        [
            {"code": o.occurrenceCode, "date": o.occurrenceCodeDate.isoformat()}
            for o in info.occurrenceInformationList
        ],
    )
    put(
        fields,
        "valueCodes",
        [{"code": v.valueCode, "amount": v.valueCodeAmount} for v in info.valueInformationList],
    )
    put(fields, "conditionCodes", [c.conditionCode for c in info.conditionCodesList])
    put(fields, "treatmentCodes", [t.treatmentCode for t in info.treatmentCodeInformationList])
    return fields


def _diagnoses(info: InstitutionalClaimInformation, key: str) -> list[Record]:
    """Principal, admitting, reasons for visit, external causes, then the others: the order
    of the 2300 HI segments."""
    p = info.principalDiagnosis
    items: list[tuple[str, str, str | None]] = [
        (p.qualifierCode, p.principalDiagnosisCode, p.presentOnAdmissionIndicator)
    ]
    if info.admittingDiagnosis is not None:
        a = info.admittingDiagnosis
        items.append((a.qualifierCode, a.admittingDiagnosisCode, None))
    items += [
        (r.qualifierCode, r.patientReasonForVisitCode, None) for r in info.patientReasonForVisits
    ]
    items += [
        (e.qualifierCode, e.externalCauseOfInjury, e.presentOnAdmissionIndicator)
        for e in info.externalCauseOfInjuries
    ]
    items += [
        (d.qualifierCode, d.otherDiagnosisCode, d.presentOnAdmissionIndicator)
        for d in info.otherDiagnosisInformationList
    ]
    out = []
    for n, (qualifier, code, poa) in enumerate(items, 1):
        fields: Fields = {"qualifier": qualifier, "code": code, "position": n}
        put(fields, "presentOnAdmissionIndicator", poa)
        out.append(Record("diagnosis", f"{key}/diagnosis:{n}", key, fields=fields))
    return out


def _line(n: int, line: InstitutionalServiceLine, key: str) -> Record:
    sv = line.institutionalService
    fields: Fields = {"lineNumber": n, "revenueCode": sv.serviceLineRevenueCode}
    put(fields, "procedureQualifier", sv.procedureIdentifier)
    put(fields, "procedureCode", sv.procedureCode)
    put(fields, "procedureModifiers", list(sv.procedureModifiers))
    put(fields, "description", sv.description)
    fields["chargeAmount"] = sv.lineItemChargeAmount
    fields["unitCode"] = sv.measurementUnit
    fields["units"] = sv.serviceUnitCount
    put(fields, "nonCoveredChargeAmount", sv.nonCoveredChargeAmount)
    put(fields, "serviceDate", line.serviceDate.isoformat() if line.serviceDate else None)
    put(fields, "serviceDateEnd", line.serviceDateEnd.isoformat() if line.serviceDateEnd else None)
    put(fields, "lineItemControlNumber", line.providerControlNumber)
    return Record("service_line", f"{key}/line:{n}", key, fields=fields)


def institutional_x12(
    claim: InstitutionalClaimSubmission,
    *,
    sender: tuple[str, str] = ("ZZ", "X12GW"),
    receiver: tuple[str, str] | None = None,
    interchange_control: int = 1,
    usage: str = "P",
    when: dt.datetime | None = None,
) -> bytes:
    """The claim as an 837I interchange (ST02 = ``controlNumber``)."""
    return emit_claim(
        claim,
        institutional_records(claim, sender_id=sender[1], when=when),
        guide=GUIDE,
        sender=sender,
        receiver=receiver,
        interchange_control=interchange_control,
        usage=usage,
        when=when,
    )


# records -> JSON -------------------------------------------------------------------


def institutional_views(records: list[Record]) -> list[InstitutionalClaimView]:
    """Every claim of one 837I transaction set's records, as :class:`InstitutionalClaimView`."""
    return [_view(parts) for parts in claim_parts(records)]


def _view(parts: ClaimParts) -> InstitutionalClaimView:
    c = parts.claim.fields
    admission = str(c.get("admissionDate") or "")
    day, _, clock = admission.partition("T")
    principal: Any = None
    admitting = None
    others = []
    reasons = []
    causes = []
    for d in parts.diagnoses:
        f = d.fields
        qualifier = f.get("qualifier")
        if qualifier in _PRINCIPAL and principal is None:
            principal = PrincipalDiagnosis(
                qualifierCode=qualifier,
                principalDiagnosisCode=value(f, "code"),
                presentOnAdmissionIndicator=f.get("presentOnAdmissionIndicator"),
            )
        elif qualifier in _ADMITTING and admitting is None:
            admitting = AdmittingDiagnosis(
                qualifierCode=qualifier, admittingDiagnosisCode=value(f, "code")
            )
        elif qualifier in _REASON:
            reasons.append(
                PatientReasonForVisit(
                    qualifierCode=qualifier, patientReasonForVisitCode=value(f, "code")
                )
            )
        elif qualifier in _EXTERNAL:
            causes.append(
                ExternalCauseOfInjury(
                    qualifierCode=qualifier,
                    externalCauseOfInjury=value(f, "code"),
                    presentOnAdmissionIndicator=f.get("presentOnAdmissionIndicator"),
                )
            )
        elif qualifier in ("ABF", "BF"):
            others.append(
                OtherDiagnosis(
                    qualifierCode=qualifier,
                    otherDiagnosisCode=value(f, "code"),
                    presentOnAdmissionIndicator=f.get("presentOnAdmissionIndicator"),
                )
            )
    attending = parts.providers.get("attending")
    operating = parts.providers.get("operating")
    return InstitutionalClaimView(
        **parts.parties,
        claimInformation=InstitutionalClaimInformation(
            claimFilingCode=parts.filing_code,
            patientControlNumber=c.get("patientControlNumber", ""),
            claimChargeAmount=c.get("claimChargeAmount", "0"),
            placeOfServiceCode=c.get("facilityTypeCode", ""),
            claimFrequencyCode=c.get("claimFrequencyCode", "1"),
            planParticipationCode=c.get("planParticipationCode", "A"),
            benefitsAssignmentCertificationIndicator=c.get(
                "benefitsAssignmentCertificationIndicator", "Y"
            ),
            releaseInformationCode=c.get("releaseInformationCode", "Y"),
            priorAuthorizationNumber=c.get("priorAuthorizationNumber"),
            referralNumber=c.get("referralNumber"),
            payerClaimControlNumber=c.get("payerClaimControlNumber"),
            medicalRecordNumber=c.get("medicalRecordNumber"),
            claimCodeInformation=ClaimCodeInformation(
                admissionTypeCode=value(c, "admissionTypeCode"),
                admissionSourceCode=c.get("admissionSourceCode"),
                patientStatusCode=value(c, "patientStatusCode"),
            ),
            claimDateInformation=ClaimDateInformation(
                statementBeginDate=value(c, "statementFromDate"),
                statementEndDate=c.get("statementToDate") or value(c, "statementFromDate"),
                admissionDate=date_of(day or None),
                admissionHour=_hour_out(clock or None),
                dischargeHour=_hour_out(c.get("dischargeHour")),
            ),
            principalDiagnosis=principal,
            admittingDiagnosis=admitting,
            otherDiagnosisInformationList=others,
            patientReasonForVisits=reasons,
            externalCauseOfInjuries=causes,
            **_code_lists_json(c),
            **addenda_json(parts.claim.fields, parts.other_payers),
            attendingProvider=(
                AttendingProvider(
                    npi=attending.fields.get("npi", ""),
                    lastName=attending.fields.get("lastName", ""),
                    firstName=attending.fields.get("firstName"),
                    middleName=attending.fields.get("middleName"),
                    suffix=attending.fields.get("suffix"),
                    taxonomyCode=attending.fields.get("taxonomy"),
                )
                if attending is not None
                else None
            ),
            operatingProvider=(
                OperatingProvider(
                    npi=operating.fields.get("npi", ""),
                    lastName=operating.fields.get("lastName", ""),
                    firstName=operating.fields.get("firstName"),
                    middleName=operating.fields.get("middleName"),
                    suffix=operating.fields.get("suffix"),
                )
                if operating is not None
                else None
            ),
            serviceLines=[_line_json(r.fields) for r in parts.lines],
        ),
    )


def _code_lists_json(c: Fields) -> dict[str, Any]:
    """The keyword arguments of the HI code lists :func:`_code_lists` wrote."""
    p = c.get("principalProcedure")
    return {
        "principalProcedureInformation": (
            PrincipalProcedureInformation(
                qualifierCode=value(p, "qualifier"),
                principalProcedureCode=value(p, "code"),
                principalProcedureDate=value(p, "date"),
            )
            if isinstance(p, dict)
            else p
        ),
        "otherProcedureInformationList": [
            OtherProcedureInformation(
                qualifierCode=value(o, "qualifier"),
                otherProcedureCode=value(o, "code"),
                otherProcedureDate=value(o, "date"),
            )
            for o in c.get("otherProcedures") or []
        ],
        "occurrenceSpanInformations": [
            OccurrenceSpanInformation(
                occurrenceSpanCode=value(o, "code"),
                occurrenceSpanCodeStartDate=value(o, "fromDate"),
                occurrenceSpanCodeEndDate=value(o, "toDate"),
            )
            for o in c.get("occurrenceSpanCodes") or []
        ],
        "occurrenceInformationList": [
            OccurrenceInformation(
                occurrenceCode=value(o, "code"), occurrenceCodeDate=value(o, "date")
            )
            for o in c.get("occurrenceCodes") or []
        ],
        "valueInformationList": [
            ValueInformation(valueCode=value(v, "code"), valueCodeAmount=value(v, "amount"))
            for v in c.get("valueCodes") or []
        ],
        "conditionCodesList": [
            ConditionInformation(conditionCode=code) for code in c.get("conditionCodes") or []
        ],
        "treatmentCodeInformationList": [
            TreatmentCodeInformation(treatmentCode=code) for code in c.get("treatmentCodes") or []
        ],
    }


def _line_json(f: Fields) -> InstitutionalServiceLine:
    return InstitutionalServiceLine(
        serviceDate=date_of(f.get("serviceDate")),
        serviceDateEnd=date_of(f.get("serviceDateEnd")),
        providerControlNumber=f.get("lineItemControlNumber"),
        institutionalService=InstitutionalService(
            serviceLineRevenueCode=value(f, "revenueCode"),
            procedureIdentifier=f.get("procedureQualifier"),
            procedureCode=f.get("procedureCode"),
            procedureModifiers=f.get("procedureModifiers") or [],
            description=f.get("description"),
            lineItemChargeAmount=f.get("chargeAmount", "0"),
            measurementUnit=f.get("unitCode", "UN"),
            serviceUnitCount=f.get("units", "0"),
            nonCoveredChargeAmount=f.get("nonCoveredChargeAmount"),
        ),
    )
