"""Institutional claim (837I, 005010X223A2) API models: the request body and a stored claim's view.

The parties (``submitter``, ``receiver``, ``billing``, ``subscriber``,
``dependent``, ``payer``) are those of the professional claim
(:mod:`schemas.claims`); ``claimInformation`` carries what a UB-04 carries:
the facility type and frequency (CLM05, the type of bill), the admission
codes (``claimCodeInformation``, CL1), the statement period and admission and
discharge times (``claimDateInformation``, DTP 434/435/096), the principal,
admitting and other diagnoses with present-on-admission indicators (HI), the
attending and operating providers (2310A/B) and revenue-coded service lines
(``serviceLines[].institutionalService``, SV2); the other HI lists of the UB-04:
reasons for visit (APR), external causes of injury (ABN), the principal and other
ICD-10-PCS procedures with their dates (BBR/BBQ), occurrence spans (BI),
occurrences (BH), value codes with amounts (BE), condition codes (BG) and
treatment codes (TC).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AliasChoices, ConfigDict, Field, model_validator

from schemas.claims import (
    Amount,
    Charge,
    ClaimFilingCode,
    ClaimNote,
    ClaimParties,
    ClaimSupplementalInformation,
    Model,
    OtherSubscriberInformation,
    Quantity,
    Text,
    check_attachments,
    check_charge_total,
    check_diagnoses,
    check_other_payers,
    claim_example,
    example,
)
from schemas.common import Npi

__all__ = [
    "AdmittingDiagnosis",
    "AttendingProvider",
    "ClaimCodeInformation",
    "ClaimDateInformation",
    "ConditionInformation",
    "ExternalCauseOfInjury",
    "InstitutionalClaimInformation",
    "InstitutionalClaimSubmission",
    "InstitutionalClaimView",
    "InstitutionalService",
    "InstitutionalServiceLine",
    "OccurrenceInformation",
    "OccurrenceSpanInformation",
    "OperatingProvider",
    "OtherDiagnosis",
    "OtherProcedureInformation",
    "PatientReasonForVisit",
    "PrincipalDiagnosis",
    "PrincipalProcedureInformation",
    "TreatmentCodeInformation",
    "ValueInformation",
    "check_procedures",
]

#: A clock time as X12 writes it: HHMM, 24-hour
Hour = Annotated[str, Field(pattern=r"^([01]\d|2[0-3])[0-5]\d$", examples=["1430"])]
DxCode = Annotated[str, Field(pattern=r"^[A-Z0-9]{3,7}$", description="without the dot")]
#: HI0x-9 present-on-admission indicator (Y yes, N no, U unknown, W undetermined, 1 exempt)
PresentOnAdmission = Literal["Y", "N", "U", "W", "1"]
Reference = Annotated[str, Field(min_length=1, max_length=50)]


class ClaimCodeInformation(Model):
    """CL1: the admission's priority (type) and source, and the patient's status at the end of
    the billed period (UB-04 FL 14, 15 and 17)."""

    admissionTypeCode: Annotated[str, Field(pattern=r"^[1-59]$", description="CL101 (NUBC)")]
    admissionSourceCode: Annotated[
        str | None, Field(pattern=r"^[0-9A-Z]$", description="CL102, point of origin (NUBC)")
    ] = None
    patientStatusCode: Annotated[
        str, Field(pattern=r"^\d{2}$", description="CL103, discharge status (NUBC)")
    ]

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "admissionTypeCode": "1",
                "admissionSourceCode": "7",
                "patientStatusCode": "01",
            }
        }
    )


class ClaimDateInformation(Model):
    """DTP*434 statement period (required), DTP*435 admission date and hour, DTP*096
    discharge hour."""

    statementBeginDate: dt.date
    statementEndDate: dt.date
    admissionDate: dt.date | None = None
    admissionHour: Hour | None = None
    dischargeHour: Hour | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ClaimDateInformation:
        if self.statementEndDate < self.statementBeginDate:
            raise ValueError("statementEndDate is before statementBeginDate")
        if self.admissionHour is not None and self.admissionDate is None:
            raise ValueError("admissionHour needs admissionDate")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "statementBeginDate": "2024-02-01",
                "statementEndDate": "2024-02-03",
                "admissionDate": "2024-02-01",
                "admissionHour": "0830",
                "dischargeHour": "1415",
            }
        }
    )


class PrincipalDiagnosis(Model):
    """HI*ABK (BK for ICD-9): the principal diagnosis."""

    qualifierCode: Literal["ABK", "BK"] = "ABK"
    principalDiagnosisCode: DxCode
    presentOnAdmissionIndicator: PresentOnAdmission | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "qualifierCode": "ABK",
                "principalDiagnosisCode": "J189",
                "presentOnAdmissionIndicator": "Y",
            }
        }
    )


class AdmittingDiagnosis(Model):
    """HI*ABJ (BJ): the diagnosis on admission (inpatient claims)."""

    qualifierCode: Literal["ABJ", "BJ"] = "ABJ"
    admittingDiagnosisCode: DxCode

    model_config = ConfigDict(
        json_schema_extra={"example": {"qualifierCode": "ABJ", "admittingDiagnosisCode": "R509"}}
    )


class OtherDiagnosis(Model):
    """HI*ABF (BF): another diagnosis, up to 24."""

    qualifierCode: Literal["ABF", "BF"] = "ABF"
    otherDiagnosisCode: DxCode
    presentOnAdmissionIndicator: PresentOnAdmission | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "qualifierCode": "ABF",
                "otherDiagnosisCode": "E119",
                "presentOnAdmissionIndicator": "Y",
            }
        }
    )


class PatientReasonForVisit(Model):
    """HI*APR (PR for ICD-9): why the patient came, on an unscheduled outpatient visit (up to 3)."""

    qualifierCode: Literal["APR", "PR"] = "APR"
    patientReasonForVisitCode: DxCode

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"qualifierCode": "APR", "patientReasonForVisitCode": "R1031"}
        }
    )


class ExternalCauseOfInjury(Model):
    """HI*ABN (BN for ICD-9): the external cause of an injury, poisoning or adverse effect."""

    qualifierCode: Literal["ABN", "BN"] = "ABN"
    externalCauseOfInjury: DxCode
    presentOnAdmissionIndicator: PresentOnAdmission | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "qualifierCode": "ABN",
                "externalCauseOfInjury": "V4352XA",
                "presentOnAdmissionIndicator": "Y",
            }
        }
    )


#: an ICD-10-PCS procedure code: 7 characters, digits and letters but I and O
_PCS = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
#: an ICD-9-CM procedure code: 3 or 4 digits, no dot
_ICD9_PROCEDURE = re.compile(r"^\d{3,4}$")
ProcedureCode = Annotated[
    str, Field(pattern=r"^[A-Z0-9]{3,7}$", description="ICD-10-PCS: 7 characters, no dot")
]


class PrincipalProcedureInformation(Model):
    """HI*BBR (BR ICD-9-CM, CAH advanced billing concepts): the principal inpatient procedure
    and its date."""

    qualifierCode: Literal["BBR", "BR", "CAH"] = "BBR"
    principalProcedureCode: ProcedureCode
    principalProcedureDate: dt.date

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "qualifierCode": "BBR",
                "principalProcedureCode": "0DTJ4ZZ",
                "principalProcedureDate": "2024-02-01",
            }
        }
    )


class OtherProcedureInformation(Model):
    """HI*BBQ (BQ ICD-9-CM): another procedure and its date (up to 24)."""

    qualifierCode: Literal["BBQ", "BQ"] = "BBQ"
    otherProcedureCode: ProcedureCode
    otherProcedureDate: dt.date

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "qualifierCode": "BBQ",
                "otherProcedureCode": "0W9G3ZZ",
                "otherProcedureDate": "2024-02-02",
            }
        }
    )


#: a NUBC code of two characters (occurrence, occurrence span, value, condition codes)
NubcCode = Annotated[str, Field(pattern=r"^[0-9A-Z]{2}$")]


class OccurrenceSpanInformation(Model):
    """HI*BI: an occurrence span code and its period (UB-04 FL 35-36)."""

    occurrenceSpanCode: NubcCode
    occurrenceSpanCodeStartDate: dt.date
    occurrenceSpanCodeEndDate: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> OccurrenceSpanInformation:
        if self.occurrenceSpanCodeEndDate < self.occurrenceSpanCodeStartDate:
            raise ValueError("occurrenceSpanCodeEndDate is before occurrenceSpanCodeStartDate")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "occurrenceSpanCode": "74",
                "occurrenceSpanCodeStartDate": "2024-01-20",
                "occurrenceSpanCodeEndDate": "2024-01-22",
            }
        }
    )


class OccurrenceInformation(Model):
    """HI*BH: an occurrence code and its date (UB-04 FL 31-34)."""

    occurrenceCode: NubcCode
    occurrenceCodeDate: dt.date

    model_config = ConfigDict(
        json_schema_extra={"example": {"occurrenceCode": "11", "occurrenceCodeDate": "2024-01-30"}}
    )


class ValueInformation(Model):
    """HI*BE: a value code and its amount (UB-04 FL 39-41), a decimal with up to 2 places."""

    valueCode: NubcCode
    valueCodeAmount: Amount

    model_config = ConfigDict(
        json_schema_extra={"example": {"valueCode": "80", "valueCodeAmount": "2"}}
    )


class ConditionInformation(Model):
    """HI*BG: a condition code (UB-04 FL 18-28)."""

    conditionCode: NubcCode

    model_config = ConfigDict(json_schema_extra={"example": {"conditionCode": "17"}})


class TreatmentCodeInformation(Model):
    """HI*TC: a treatment code (home health plans of treatment)."""

    treatmentCode: Annotated[str, Field(pattern=r"^[0-9A-Z]{1,30}$")]

    model_config = ConfigDict(json_schema_extra={"example": {"treatmentCode": "A1"}})


def check_procedures(
    principal: PrincipalProcedureInformation | None, others: list[OtherProcedureInformation]
) -> None:
    """ICD-10-PCS codes (BBR, BBQ) have 7 characters (no I or O); ICD-9-CM ones (BR, BQ) 3-4
    digits. The error names the field (the code itself may be PHI)."""
    items = (
        [("principalProcedureInformation.principalProcedureCode", principal)] if principal else []
    )
    base = "claimInformation."
    checks: list[tuple[str, str, str]] = [
        (f"{base}{path}", p.qualifierCode, p.principalProcedureCode) for path, p in items
    ]
    checks += [
        (
            f"{base}otherProcedureInformationList[{n}].otherProcedureCode",
            o.qualifierCode,
            o.otherProcedureCode,
        )
        for n, o in enumerate(others)
    ]
    for path, qualifier, code in checks:
        if qualifier in ("BBR", "BBQ") and not _PCS.match(code):
            raise ValueError(f"{path}: not an ICD-10-PCS code (7 characters, no I or O)")
        if qualifier in ("BR", "BQ") and not _ICD9_PROCEDURE.match(code):
            raise ValueError(f"{path}: not an ICD-9-CM procedure code (3-4 digits, no dot)")


class AttendingProvider(Model):
    """2310A: the attending provider (a person), with an optional taxonomy (PRV*AT)."""

    npi: Npi
    lastName: Text
    firstName: Text | None = None
    middleName: Text | None = None
    suffix: Text | None = None
    taxonomyCode: Annotated[str | None, Field(pattern=r"^[0-9A-Z]{10}$")] = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "npi": "1999999992",
                "lastName": "Thistlewood",
                "firstName": "Quincy",
                "taxonomyCode": "207RH0000X",
            }
        }
    )


class OperatingProvider(Model):
    """2310B: the operating physician (a person; required when a surgical procedure is billed)."""

    npi: Npi
    lastName: Text
    firstName: Text | None = None
    middleName: Text | None = None
    suffix: Text | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"npi": "1234567893", "lastName": "Marsh", "firstName": "Ada"}
        }
    )


class InstitutionalService(Model):
    """SV2: the revenue code, the procedure (when the payer needs one: HCPCS/CPT or HIPPS), the
    charge and the units (UN units or DA days)."""

    serviceLineRevenueCode: Annotated[
        str, Field(pattern=r"^\d{4}$", description="SV201: a 4-digit NUBC revenue code")
    ]
    procedureIdentifier: Literal["HC", "HP", "ER", "IV", "WK"] | None = None
    procedureCode: Annotated[str | None, Field(pattern=r"^[A-Z0-9]{1,48}$")] = None
    procedureModifiers: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$")]], Field(max_length=4)
    ] = Field(default_factory=list)
    description: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    lineItemChargeAmount: Charge
    measurementUnit: Literal["UN", "DA"] = "UN"
    serviceUnitCount: Quantity
    nonCoveredChargeAmount: Charge | None = None

    @model_validator(mode="after")
    def _procedure(self) -> InstitutionalService:
        if self.procedureCode is None:
            if self.procedureIdentifier is not None or self.procedureModifiers:
                raise ValueError("procedureIdentifier and procedureModifiers need procedureCode")
        elif self.procedureIdentifier is None:
            self.procedureIdentifier = "HC"
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "serviceLineRevenueCode": "0450",
                "procedureIdentifier": "HC",
                "procedureCode": "99284",
                "procedureModifiers": ["25"],
                "lineItemChargeAmount": "1200",
                "measurementUnit": "UN",
                "serviceUnitCount": "1",
            }
        }
    )


class InstitutionalServiceLine(Model):
    """2400: one line (LX, SV2, DTP*472, REF*6R); a service date is required on outpatient
    lines when the statement period is longer than a day."""

    serviceDate: dt.date | None = None
    serviceDateEnd: dt.date | None = None
    providerControlNumber: Reference | None = None
    institutionalService: InstitutionalService

    @model_validator(mode="after")
    def _period(self) -> InstitutionalServiceLine:
        if self.serviceDateEnd is not None and (
            self.serviceDate is None or self.serviceDateEnd < self.serviceDate
        ):
            raise ValueError("serviceDateEnd needs serviceDate and may not be before it")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "serviceDate": "2024-02-01",
                "providerControlNumber": "LN0001-1",
                "institutionalService": example(InstitutionalService),
            }
        }
    )


#: CLM05-3 for institutional claims: the third digit of the type of bill
InstitutionalFrequency = Literal["0", "1", "2", "3", "4", "5", "7", "8", "9"]


class InstitutionalClaimInformation(Model):
    """2300: the claim (CLM, DTP, CL1, REF, HI), its attending and operating providers and lines.

    ``placeOfServiceCode`` (also accepted as ``facilityCode``) is CLM05-1, the facility
    type code: the first two digits of the type of bill, ``claimFrequencyCode`` its third.
    """

    claimFilingCode: ClaimFilingCode
    patientControlNumber: Annotated[str, Field(min_length=1, max_length=38)]
    claimChargeAmount: Charge
    placeOfServiceCode: Annotated[
        str,
        Field(
            pattern=r"^\d{2}$",
            validation_alias=AliasChoices("placeOfServiceCode", "facilityCode"),
            description="CLM05-1: the facility type code (type of bill digits 1-2)",
        ),
    ]
    claimFrequencyCode: InstitutionalFrequency = "1"
    planParticipationCode: Literal["A", "B", "C"] = "A"
    benefitsAssignmentCertificationIndicator: Literal["Y", "N", "W"] = "Y"
    releaseInformationCode: Literal["I", "Y"] = "Y"
    priorAuthorizationNumber: Reference | None = None
    referralNumber: Reference | None = None
    payerClaimControlNumber: Annotated[
        str | None,
        Field(min_length=1, max_length=50, description="REF*F8: the claim a 7 or 8 replaces"),
    ] = None
    medicalRecordNumber: Reference | None = None
    claimCodeInformation: ClaimCodeInformation
    claimDateInformation: ClaimDateInformation
    principalDiagnosis: PrincipalDiagnosis
    admittingDiagnosis: AdmittingDiagnosis | None = None
    otherDiagnosisInformationList: Annotated[list[OtherDiagnosis], Field(max_length=24)] = Field(
        default_factory=list
    )
    patientReasonForVisits: Annotated[list[PatientReasonForVisit], Field(max_length=3)] = Field(
        default_factory=list
    )
    externalCauseOfInjuries: Annotated[list[ExternalCauseOfInjury], Field(max_length=12)] = Field(
        default_factory=list
    )
    principalProcedureInformation: PrincipalProcedureInformation | None = None
    otherProcedureInformationList: Annotated[
        list[OtherProcedureInformation], Field(max_length=24)
    ] = Field(default_factory=list)
    occurrenceSpanInformations: Annotated[list[OccurrenceSpanInformation], Field(max_length=24)] = (
        Field(default_factory=list)
    )
    occurrenceInformationList: Annotated[list[OccurrenceInformation], Field(max_length=24)] = Field(
        default_factory=list
    )
    valueInformationList: Annotated[list[ValueInformation], Field(max_length=24)] = Field(
        default_factory=list
    )
    conditionCodesList: Annotated[list[ConditionInformation], Field(max_length=24)] = Field(
        default_factory=list
    )
    treatmentCodeInformationList: Annotated[
        list[TreatmentCodeInformation], Field(max_length=24)
    ] = Field(default_factory=list)
    attendingProvider: AttendingProvider | None = None
    operatingProvider: OperatingProvider | None = None
    claimSupplementalInformation: ClaimSupplementalInformation | None = None
    claimNote: ClaimNote | None = None
    otherSubscriberInformation: Annotated[
        list[OtherSubscriberInformation], Field(max_length=10)
    ] = Field(default_factory=list)
    serviceLines: Annotated[list[InstitutionalServiceLine], Field(min_length=1, max_length=50)]

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "claimFilingCode": "CI",
                "patientControlNumber": "PCN-I-0001",
                "claimChargeAmount": "1200",
                "placeOfServiceCode": "13",
                "claimFrequencyCode": "1",
                "planParticipationCode": "A",
                "benefitsAssignmentCertificationIndicator": "Y",
                "releaseInformationCode": "Y",
                "claimCodeInformation": example(ClaimCodeInformation),
                "claimDateInformation": {
                    "statementBeginDate": "2024-02-01",
                    "statementEndDate": "2024-02-01",
                },
                "principalDiagnosis": example(PrincipalDiagnosis),
                "otherDiagnosisInformationList": [example(OtherDiagnosis)],
                "attendingProvider": example(AttendingProvider),
                "serviceLines": [example(InstitutionalServiceLine)],
            }
        }
    )


class _InstitutionalBody(ClaimParties):
    claimInformation: InstitutionalClaimInformation


_EXAMPLE = claim_example(
    "000000002",
    example(InstitutionalClaimInformation),
    organizationName="Maple General Hospital",
    taxonomyCode="282N00000X",
)

#: frequencies of a claim for care that goes on (no discharge yet)
_NOT_DISCHARGED = frozenset({"2", "3"})


class InstitutionalClaimSubmission(_InstitutionalBody):
    """An institutional claim (837I, 005010X223A2) to submit.

    Checked beyond the field formats (NPIs with their check digit among them): the claim
    charge equals the sum of the line charges, ICD-10-CM codes have the ICD-10-CM form,
    the billing provider is an organization (2010AA NM102 is 2 in the 837I), service
    dates lie within the statement period, a discharge hour is only given on a claim
    whose frequency says the patient left (not 2 or 3), reasons for visit and external
    causes have the ICD-10-CM form and procedures the ICD-10-PCS form (7 characters),
    other procedures come with a principal one, and a payer ID is given.
    """

    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    @model_validator(mode="after")
    def _consistent(self) -> InstitutionalClaimSubmission:
        info = self.claimInformation
        check_charge_total(
            info.claimChargeAmount,
            (x.institutionalService.lineItemChargeAmount for x in info.serviceLines),
        )
        if not self.billing.organizationName:
            raise ValueError("billing.organizationName is required: an 837I bills as a facility")
        dates = info.claimDateInformation
        if dates.dischargeHour is not None and info.claimFrequencyCode in _NOT_DISCHARGED:
            raise ValueError(
                "claimInformation.claimDateInformation.dischargeHour is not used when "
                f"claimFrequencyCode is {info.claimFrequencyCode} (patient not discharged)"
            )
        for n, line in enumerate(info.serviceLines):
            for day in (line.serviceDate, line.serviceDateEnd):
                if day is not None and not (
                    dates.statementBeginDate <= day <= dates.statementEndDate
                ):
                    raise ValueError(
                        f"claimInformation.serviceLines[{n}].serviceDate is outside the "
                        "statement period (claimDateInformation)"
                    )
        base = "claimInformation."
        check_diagnoses(
            [
                (
                    f"{base}principalDiagnosis.principalDiagnosisCode",
                    info.principalDiagnosis.qualifierCode,
                    info.principalDiagnosis.principalDiagnosisCode,
                ),
                *(
                    [
                        (
                            f"{base}admittingDiagnosis.admittingDiagnosisCode",
                            info.admittingDiagnosis.qualifierCode,
                            info.admittingDiagnosis.admittingDiagnosisCode,
                        )
                    ]
                    if info.admittingDiagnosis
                    else []
                ),
                *(
                    (
                        f"{base}otherDiagnosisInformationList[{n}].otherDiagnosisCode",
                        d.qualifierCode,
                        d.otherDiagnosisCode,
                    )
                    for n, d in enumerate(info.otherDiagnosisInformationList)
                ),
            ]
        )
        check_diagnoses(
            [
                *(
                    (f"{base}patientReasonForVisits[{n}].patientReasonForVisitCode", *code)
                    for n, code in enumerate(
                        (r.qualifierCode, r.patientReasonForVisitCode)
                        for r in info.patientReasonForVisits
                    )
                ),
                *(
                    (f"{base}externalCauseOfInjuries[{n}].externalCauseOfInjury", *code)
                    for n, code in enumerate(
                        (e.qualifierCode, e.externalCauseOfInjury)
                        for e in info.externalCauseOfInjuries
                    )
                ),
            ]
        )
        check_procedures(info.principalProcedureInformation, info.otherProcedureInformationList)
        if info.otherProcedureInformationList and info.principalProcedureInformation is None:
            raise ValueError(
                f"{base}otherProcedureInformationList needs principalProcedureInformation"
            )
        check_attachments(info.claimSupplementalInformation)
        check_other_payers(
            self.subscriber.paymentResponsibilityLevelCode,
            info.otherSubscriberInformation,
            guide="837I",
        )
        if self.payer.payerId is None:
            self.payer.payerId = self.tradingPartnerServiceId
        return self


class InstitutionalClaimView(_InstitutionalBody):
    """A stored 837I claim as JSON: the shape of :class:`InstitutionalClaimSubmission`, not
    re-validated for consistency; ``controlNumber`` is its BHT03."""

    controlNumber: Annotated[str, Field(description="BHT03 of the stored transaction set")]

    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})
