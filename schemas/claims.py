"""Claim submission (837P professional) API models: the request body and a stored claim's view.

Field names follow the X12 meaning in camelCase, in the shape the widely used
claims APIs share (``controlNumber``, ``tradingPartnerServiceId``,
``submitter``, ``receiver``, ``billing``, ``subscriber``, ``dependent``,
``payer``, ``claimInformation`` with ``healthCareCodeInformation`` and
``serviceLines``; the parts every claim kind may carry: attachments
(``claimSupplementalInformation``, PWK), the billing note (``claimNote``,
NTE*ADD) and the other payers of a secondary claim
(``otherSubscriberInformation``, 2320/2330 with the paid amount and CAS)). Amounts are decimal strings, canonicalized (``"100.00"``
becomes ``"100"``); dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, model_validator

from schemas.common import Gender, Npi
from transactions.records import money
from transactions.rules.claims import ICD10CM_QUALIFIERS
from transactions.rules.common import icd10cm_form

__all__ = [
    "REPORT_TYPE_CODES",
    "TRANSMISSION_CODES",
    "Address",
    "AdjustmentDetail",
    "Amount",
    "BillingProvider",
    "ClaimAdjustment",
    "ClaimHeader",
    "ClaimInformation",
    "ClaimNote",
    "ClaimParties",
    "ClaimSubmission",
    "ClaimSupplementalInformation",
    "ClaimView",
    "ContactInformation",
    "Dependent",
    "DiagnosisCode",
    "DiagnosisPointers",
    "Gender",
    "Npi",
    "OtherPayerName",
    "OtherSubscriberInformation",
    "OtherSubscriberName",
    "Payer",
    "ProfessionalService",
    "Receiver",
    "RenderingProvider",
    "ReportInformation",
    "ServiceLine",
    "Submitter",
    "Subscriber",
    "check_attachments",
    "check_charge_total",
    "check_diagnoses",
    "check_health_care_codes",
    "check_other_payers",
    "check_pointers",
    "check_principal_first",
    "claim_example",
    "example",
]


def _canonical(value: str) -> str:
    return money(value) or "0"


#: An amount as a decimal string: up to 2 decimals, canonicalized ("100.00" -> "100").
Amount = Annotated[
    str,
    Field(pattern=r"^-?\d{1,15}(\.\d{1,2})?$", examples=["125.5"]),
    AfterValidator(_canonical),
]
#: A non-negative amount
Charge = Annotated[
    str, Field(pattern=r"^\d{1,15}(\.\d{1,2})?$", examples=["125.5"]), AfterValidator(_canonical)
]
#: A quantity (units, days): a positive decimal string
Quantity = Annotated[
    str, Field(pattern=r"^\d{1,12}(\.\d{1,3})?$", examples=["1"]), AfterValidator(_canonical)
]
Tin = Annotated[str, Field(pattern=r"^\d{9}$", description="Federal tax ID (EIN), 9 digits")]
Text = Annotated[str, Field(min_length=1, max_length=80)]


def check_diagnoses(codes: Iterable[tuple[str, str, str]]) -> None:
    """Codes with an ICD-10-CM qualifier (AB*, APR) have the ICD-10-CM form (letter, digit,
    digit or A/B, up to 4 more, no dot); the error names the field (a code may be PHI)."""
    for path, qualifier, code in codes:
        if qualifier in ICD10CM_QUALIFIERS and not icd10cm_form(code):
            raise ValueError(f"{path}: not an ICD-10-CM code (write it without the dot)")


def check_charge_total(claimed: str, line_charges: Iterable[str]) -> None:
    """The claim charge (CLM02) is the sum of the line charges, as the guides require."""
    total = sum((Decimal(charge) for charge in line_charges), Decimal(0))
    if Decimal(claimed) != total:
        raise ValueError(
            f"claimInformation.claimChargeAmount {claimed} is not the sum "
            f"of the service lines' lineItemChargeAmount ({money(total)})"
        )


def check_principal_first(codes: Sequence[DiagnosisCode]) -> None:
    """The first HI code (when any) is the principal diagnosis (ABK/BK), and only the first."""
    if codes and codes[0].diagnosisTypeCode not in ("ABK", "BK"):
        raise ValueError("the first healthCareCodeInformation entry must be ABK (or BK)")
    if any(c.diagnosisTypeCode in ("ABK", "BK") for c in codes[1:]):
        raise ValueError("only the first healthCareCodeInformation entry may be ABK/BK")


def check_pointers(path: str, pointers: DiagnosisPointers | None, count: int) -> None:
    """A line's diagnosis pointers point at one of the ``count`` listed diagnoses."""
    for p in pointers.diagnosisCodePointers if pointers else []:
        if int(p) > count:
            raise ValueError(
                f"{path} diagnosis pointer {p}: only {count} diagnosis codes are listed"
            )


def check_health_care_codes(codes: Sequence[DiagnosisCode]) -> None:
    """:func:`check_diagnoses` over ``claimInformation.healthCareCodeInformation``."""
    check_diagnoses(
        (
            f"claimInformation.healthCareCodeInformation[{n}].diagnosisCode",
            c.diagnosisTypeCode,
            c.diagnosisCode,
        )
        for n, c in enumerate(codes)
    )


def example(model: type[BaseModel]) -> dict[str, Any]:
    """A copy of a model's OpenAPI example (``json_schema_extra["example"]``)."""
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)
    return copy.deepcopy(cast(dict[str, Any], extra["example"]))


class Model(BaseModel):
    """Base of the API models: unknown fields are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Address(Model):
    """N3/N4: street, city, state, ZIP."""

    address1: Annotated[str, Field(min_length=1, max_length=55)]
    address2: Annotated[str | None, Field(max_length=55)] = None
    city: Annotated[str, Field(min_length=2, max_length=30)]
    state: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None
    postalCode: Annotated[str | None, Field(pattern=r"^[0-9A-Z]{3,15}$")] = None
    countryCode: Annotated[str | None, Field(pattern=r"^[A-Z]{2,3}$")] = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "address1": "123 Main St",
                "city": "Springfield",
                "state": "IL",
                "postalCode": "627011234",
            }
        }
    )


class ContactInformation(Model):
    """PER: a contact name and how to reach them (at least one number or address)."""

    name: Text
    phoneNumber: Annotated[str | None, Field(pattern=r"^\d{10,15}$")] = None
    phoneExtension: Annotated[str | None, Field(pattern=r"^\d{1,10}$")] = None
    faxNumber: Annotated[str | None, Field(pattern=r"^\d{10,15}$")] = None
    email: Annotated[str | None, Field(min_length=3, max_length=256)] = None

    model_config = ConfigDict(
        json_schema_extra={"example": {"name": "Billing Office", "phoneNumber": "5555550100"}}
    )


class Submitter(Model):
    """1000A: who sends the claim. ``submitterIdentification`` (NM109, the ETIN) defaults to
    the interchange sender ID when absent."""

    organizationName: Text | None = None
    lastName: Text | None = None
    firstName: Text | None = None
    submitterIdentification: Annotated[str | None, Field(min_length=2, max_length=80)] = None
    contactInformation: ContactInformation

    @model_validator(mode="after")
    def _named(self) -> Submitter:
        if not (self.organizationName or self.lastName):
            raise ValueError("organizationName or lastName is required")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "organizationName": "Maple Billing",
                "submitterIdentification": "ETIN4402",
                "contactInformation": {"name": "Billing Office", "phoneNumber": "5555550100"},
            }
        }
    )


class Receiver(Model):
    """1000B: who receives the claim (payer or clearinghouse); its ID is ``tradingPartnerServiceId``."""

    organizationName: Text

    model_config = ConfigDict(
        json_schema_extra={"example": {"organizationName": "Northwind Health"}}
    )


class BillingProvider(Model):
    """2000A/2010AA: the billing provider (an organization, or a person with lastName)."""

    providerType: Literal["BillingProvider"] = "BillingProvider"
    npi: Npi
    employerId: Tin | None = None
    ssn: Annotated[str | None, Field(pattern=r"^\d{9}$")] = None
    taxonomyCode: Annotated[str | None, Field(pattern=r"^[0-9A-Z]{10}$")] = None
    organizationName: Text | None = None
    lastName: Text | None = None
    firstName: Text | None = None
    address: Address
    contactInformation: ContactInformation | None = None

    @model_validator(mode="after")
    def _named(self) -> BillingProvider:
        if not (self.organizationName or self.lastName):
            raise ValueError("organizationName or lastName is required")
        if not (self.employerId or self.ssn):
            raise ValueError("employerId (EIN) or ssn is required: the billing provider's TIN")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "providerType": "BillingProvider",
                "npi": "1999999984",
                "employerId": "123456789",
                "organizationName": "Maple Street Clinic",
                "address": {
                    "address1": "1 Maple St",
                    "city": "Springfield",
                    "state": "IL",
                    "postalCode": "627011234",
                },
            }
        }
    )


class RenderingProvider(Model):
    """2310B: the rendering provider when it is not the billing provider."""

    npi: Npi
    organizationName: Text | None = None
    lastName: Text | None = None
    firstName: Text | None = None
    middleName: Text | None = None
    taxonomyCode: Annotated[str | None, Field(pattern=r"^[0-9A-Z]{10}$")] = None

    @model_validator(mode="after")
    def _named(self) -> RenderingProvider:
        if not (self.organizationName or self.lastName):
            raise ValueError("organizationName or lastName is required")
        return self

    model_config = ConfigDict(
        json_schema_extra={"example": {"npi": "1999999992", "lastName": "Doe", "firstName": "Jane"}}
    )


#: SBR01 payer responsibility sequence
ResponsibilityCode = Literal["P", "S", "T", "A", "B", "C", "D", "E", "F", "G", "H", "U"]


class Subscriber(Model):
    """2000B/2010BA: the insured. ``groupNumber`` (SBR03, also accepted as ``policyNumber``)."""

    memberId: Annotated[str, Field(min_length=2, max_length=80)]
    paymentResponsibilityLevelCode: ResponsibilityCode = "P"
    firstName: Text | None = None
    lastName: Text
    middleName: Text | None = None
    suffix: Text | None = None
    gender: Gender | None = None
    dateOfBirth: dt.date | None = None
    address: Address | None = None
    groupNumber: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=50,
            validation_alias=AliasChoices("groupNumber", "policyNumber"),
        ),
    ] = None
    groupName: Annotated[str | None, Field(min_length=1, max_length=60)] = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "memberId": "NWH00012345",
                "paymentResponsibilityLevelCode": "P",
                "firstName": "Jane",
                "lastName": "Doe",
                "gender": "F",
                "dateOfBirth": "1980-04-12",
                "groupNumber": "G12345",
                "address": {
                    "address1": "9 Elm St",
                    "city": "Springfield",
                    "state": "IL",
                    "postalCode": "62701",
                },
            }
        }
    )


class Dependent(Model):
    """2000C/2010CA: the patient when not the subscriber, with PAT01 ``relationshipToSubscriberCode``."""

    firstName: Text | None = None
    lastName: Text
    middleName: Text | None = None
    suffix: Text | None = None
    gender: Gender
    dateOfBirth: dt.date
    relationshipToSubscriberCode: Literal["01", "19", "20", "21", "39", "40", "53", "G8"]
    address: Address

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "firstName": "Pip",
                "lastName": "Doe",
                "gender": "M",
                "dateOfBirth": "2015-09-23",
                "relationshipToSubscriberCode": "19",
                "address": {
                    "address1": "9 Elm St",
                    "city": "Springfield",
                    "state": "IL",
                    "postalCode": "62701",
                },
            }
        }
    )


class Payer(Model):
    """2010BB: the payer; ``payerId`` defaults to ``tradingPartnerServiceId``."""

    organizationName: Text
    payerId: Annotated[str | None, Field(min_length=2, max_length=80)] = None
    address: Address | None = None

    model_config = ConfigDict(
        json_schema_extra={"example": {"organizationName": "Northwind Health", "payerId": "77001"}}
    )


class DiagnosisCode(Model):
    """One HI code: ABK principal (ICD-10-CM), ABF other; BK/BF for ICD-9."""

    diagnosisTypeCode: Literal["ABK", "ABF", "BK", "BF"]
    diagnosisCode: Annotated[str, Field(pattern=r"^[A-Z0-9]{3,7}$", description="without the dot")]

    model_config = ConfigDict(
        json_schema_extra={"example": {"diagnosisTypeCode": "ABK", "diagnosisCode": "J069"}}
    )


Pointer = Annotated[str, Field(pattern=r"^([1-9]|1[0-2])$")]


class DiagnosisPointers(Model):
    """SV107: up to four pointers (1-12) into ``healthCareCodeInformation``."""

    diagnosisCodePointers: Annotated[list[Pointer], Field(min_length=1, max_length=4)]

    model_config = ConfigDict(json_schema_extra={"example": {"diagnosisCodePointers": ["1", "2"]}})


class ProfessionalService(Model):
    """SV1: the procedure, its charge and units."""

    procedureIdentifier: Literal["HC", "ER", "IV", "WK"] = "HC"
    procedureCode: Annotated[str, Field(pattern=r"^[A-Z0-9]{1,48}$")]
    procedureModifiers: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$")]], Field(max_length=4)
    ] = Field(default_factory=list)
    description: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    lineItemChargeAmount: Charge
    measurementUnit: Literal["UN", "MJ"] = "UN"
    serviceUnitCount: Quantity
    placeOfServiceCode: Annotated[str | None, Field(pattern=r"^\d{2}$")] = None
    compositeDiagnosisCodePointers: DiagnosisPointers
    emergencyIndicator: Literal["Y"] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "procedureIdentifier": "HC",
                "procedureCode": "99213",
                "procedureModifiers": ["25"],
                "lineItemChargeAmount": "125",
                "measurementUnit": "UN",
                "serviceUnitCount": "1",
                "compositeDiagnosisCodePointers": {"diagnosisCodePointers": ["1"]},
            }
        }
    )


class ServiceLine(Model):
    """2400: one service line (LX, SV1, DTP*472, REF*6R)."""

    serviceDate: dt.date
    serviceDateEnd: dt.date | None = None
    providerControlNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    professionalService: ProfessionalService

    @model_validator(mode="after")
    def _period(self) -> ServiceLine:
        if self.serviceDateEnd is not None and self.serviceDateEnd < self.serviceDate:
            raise ValueError("serviceDateEnd is before serviceDate")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "serviceDate": "2024-02-01",
                "providerControlNumber": "LN0001-1",
                "professionalService": example(ProfessionalService),
            }
        }
    )


#: SBR09 claim filing indicator codes
ClaimFilingCode = Literal[
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM",
    "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
]  # fmt: skip


class ReportInformation(Model):
    """PWK: a paper or electronic attachment sent for the claim (report type, how it is sent,
    and, unless it is already with the payer (AA), the control number that ties it to the claim).

    A submission's transmission code is one of the TR3's (AA, BM, EL, EM, FT, FX; see
    :func:`check_attachments`); a stored claim shows what it carried."""

    attachmentReportTypeCode: Annotated[
        str, Field(pattern=r"^[0-9A-Z]{2}$", description="PWK01, e.g. OZ support data, 09 progress")
    ]
    attachmentTransmissionCode: Annotated[
        str, Field(pattern=r"^[A-Z]{2}$", description="PWK02: AA, BM, EL, EM, FT or FX")
    ]
    attachmentControlNumber: Annotated[str | None, Field(min_length=2, max_length=80)] = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "attachmentReportTypeCode": "OZ",
                "attachmentTransmissionCode": "FX",
                "attachmentControlNumber": "ATT-0001",
            }
        }
    )


class ClaimSupplementalInformation(Model):
    """The claim's attachments (PWK, up to 10)."""

    reportInformations: Annotated[list[ReportInformation], Field(min_length=1, max_length=10)]

    model_config = ConfigDict(
        json_schema_extra={"example": {"reportInformations": [example(ReportInformation)]}}
    )


class ClaimNote(Model):
    """NTE*ADD: free text for the payer about the claim (the billing note)."""

    additionalInformation: Annotated[str, Field(min_length=1, max_length=80)]

    model_config = ConfigDict(
        json_schema_extra={"example": {"additionalInformation": "CORRECTED NPI FOR RENDERING"}}
    )


class AdjustmentDetail(Model):
    """One CAS reason: the claim adjustment reason code, the amount and the units."""

    adjustmentReasonCode: Annotated[str, Field(pattern=r"^[0-9A-Z]{1,5}$")]
    adjustmentAmount: Amount
    adjustmentQuantity: Quantity | None = None


class ClaimAdjustment(Model):
    """CAS: the other payer's adjustments of one group (CO contractual, CR correction,
    OA other, PI payer initiated, PR patient responsibility), up to six reasons."""

    adjustmentGroupCode: Literal["CO", "CR", "OA", "PI", "PR"]
    adjustmentDetails: Annotated[list[AdjustmentDetail], Field(min_length=1, max_length=6)]

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "adjustmentGroupCode": "CO",
                "adjustmentDetails": [{"adjustmentReasonCode": "45", "adjustmentAmount": "25"}],
            }
        }
    )


class OtherSubscriberName(Model):
    """2330A: the insured of the other coverage, with their ID at that payer (MI member ID,
    II standard unique health identifier)."""

    otherInsuredQualifier: Literal["1", "2"] = "1"
    otherInsuredLastName: Annotated[str, Field(min_length=1, max_length=60)]
    otherInsuredFirstName: Text | None = None
    otherInsuredMiddleName: Text | None = None
    otherInsuredNameSuffix: Text | None = None
    otherInsuredIdentifierTypeCode: Literal["MI", "II"] = "MI"
    otherInsuredIdentifier: Annotated[str, Field(min_length=2, max_length=80)]
    otherInsuredAddress: Address | None = None

    @model_validator(mode="after")
    def _organization(self) -> OtherSubscriberName:
        if self.otherInsuredQualifier == "2" and self.otherInsuredFirstName is not None:
            raise ValueError("otherInsuredFirstName is not used when otherInsuredQualifier is 2")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "otherInsuredQualifier": "1",
                "otherInsuredLastName": "Doe",
                "otherInsuredFirstName": "John",
                "otherInsuredIdentifierTypeCode": "MI",
                "otherInsuredIdentifier": "ACM99887766",
            }
        }
    )


class OtherPayerName(Model):
    """2330B: the other payer (PI payer ID, XV CMS plan ID), when it adjudicated the claim
    (DTP*573) and its claim number (REF*F8)."""

    otherPayerOrganizationName: Annotated[str, Field(min_length=1, max_length=60)]
    otherPayerIdentifierTypeCode: Literal["PI", "XV"] = "PI"
    otherPayerIdentifier: Annotated[str, Field(min_length=2, max_length=80)]
    otherPayerAddress: Address | None = None
    otherPayerAdjudicationOrPaymentDate: dt.date | None = None
    otherPayerClaimControlNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    otherPayerPriorAuthorizationNumber: Annotated[
        str | None, Field(min_length=1, max_length=50)
    ] = None
    otherPayerReferralNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "otherPayerOrganizationName": "Acme Mutual",
                "otherPayerIdentifierTypeCode": "PI",
                "otherPayerIdentifier": "88002",
                "otherPayerAdjudicationOrPaymentDate": "2024-02-20",
                "otherPayerClaimControlNumber": "ACM-CLM-5521",
            }
        }
    )


#: SBR02 / PAT01 individual relationship codes of the 837s
RelationshipCode = Literal["01", "18", "19", "20", "21", "39", "40", "53", "G8"]


class OtherSubscriberInformation(Model):
    """2320/2330: another payer of this claim (coordination of benefits): who it is, what
    it paid (AMT*D) and how it adjusted the claim (CAS). A secondary claim lists the primary
    payer here (``paymentResponsibilityLevelCode`` "P") and the subscriber's own level is "S"."""

    paymentResponsibilityLevelCode: ResponsibilityCode
    individualRelationshipCode: RelationshipCode
    insuranceGroupOrPolicyNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    otherInsuredGroupName: Annotated[str | None, Field(min_length=1, max_length=60)] = None
    insuranceTypeCode: Annotated[
        Literal["12", "13", "14", "15", "16", "41", "42", "43", "47"] | None,
        Field(description="SBR05 (837P): the Medicare secondary payer type"),
    ] = None
    claimFilingIndicatorCode: ClaimFilingCode
    claimLevelAdjustments: Annotated[list[ClaimAdjustment], Field(max_length=5)] = Field(
        default_factory=list
    )
    payerPaidAmount: Amount | None = None
    nonCoveredChargeAmount: Charge | None = None
    remainingPatientLiability: Charge | None = None
    benefitsAssignmentCertificationIndicator: Literal["Y", "N", "W"] = "Y"
    patientSignatureGeneratedForPatient: Annotated[
        bool, Field(description="OI04 P: the provider holds the patient's signature")
    ] = False
    releaseOfInformationCode: Literal["I", "Y"] = "Y"
    otherSubscriberName: OtherSubscriberName
    otherPayerName: OtherPayerName

    @model_validator(mode="after")
    def _groups_once(self) -> OtherSubscriberInformation:
        groups = [a.adjustmentGroupCode for a in self.claimLevelAdjustments]
        if len(set(groups)) != len(groups):
            raise ValueError("claimLevelAdjustments: each adjustmentGroupCode is listed once")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "paymentResponsibilityLevelCode": "P",
                "individualRelationshipCode": "18",
                "insuranceGroupOrPolicyNumber": "ACM-G-100",
                "claimFilingIndicatorCode": "CI",
                "claimLevelAdjustments": [example(ClaimAdjustment)],
                "payerPaidAmount": "80",
                "otherSubscriberName": example(OtherSubscriberName),
                "otherPayerName": example(OtherPayerName),
            }
        }
    )


#: PWK02 report transmission codes of the 5010 837s
TRANSMISSION_CODES = ("AA", "BM", "EL", "EM", "FT", "FX")
#: PWK01 report type codes of the 5010 837s (the 837D adds P6, periodontal charts)
REPORT_TYPE_CODES = frozenset({
    "03", "04", "05", "06", "07", "08", "09", "10", "11", "13", "15", "21", "A3", "A4", "AM",
    "AS", "B2", "B3", "B4", "BR", "BS", "BT", "CB", "CK", "CT", "D2", "DA", "DB", "DG", "DJ",
    "DS", "EB", "HC", "HR", "I5", "IR", "LA", "M1", "MT", "NN", "OB", "OC", "OD", "OE", "OX",
    "OZ", "P4", "P5", "PE", "PN", "PO", "PQ", "PY", "PZ", "RB", "RR", "RT", "RX", "SG", "V5",
    "XP",
})  # fmt: skip


def check_attachments(
    supplemental: ClaimSupplementalInformation | None, *, dental: bool = False
) -> None:
    """A submitted attachment names a TR3 report type and transmission code and, unless
    the payer already has it (AA), its control number (PWK06)."""
    base = "claimInformation.claimSupplementalInformation.reportInformations"
    types = REPORT_TYPE_CODES | {"P6"} if dental else REPORT_TYPE_CODES
    for n, report in enumerate(supplemental.reportInformations if supplemental else []):
        if report.attachmentReportTypeCode not in types:
            raise ValueError(
                f"{base}[{n}].attachmentReportTypeCode is not a report type code of the TR3"
            )
        code = report.attachmentTransmissionCode
        if code not in TRANSMISSION_CODES:
            raise ValueError(
                f"{base}[{n}].attachmentTransmissionCode must be one of "
                + ", ".join(TRANSMISSION_CODES)
            )
        if code != "AA" and report.attachmentControlNumber is None:
            raise ValueError(
                f"{base}[{n}].attachmentControlNumber is required unless "
                "attachmentTransmissionCode is AA"
            )


def check_other_payers(
    subscriber_level: str,
    others: Sequence[OtherSubscriberInformation],
    *,
    guide: Literal["837P", "837I", "837D"] = "837P",
) -> None:
    """Each payer of the claim has its own responsibility level: the other payers' SBR01
    differ from the subscriber's (2000B) and from one another, as the TR3 requires. The
    insurance type (SBR05) is an 837P element, the patient signature source (OI04) is not
    used by the 837I."""
    seen = {subscriber_level}
    for n, other in enumerate(others):
        path = f"claimInformation.otherSubscriberInformation[{n}]"
        level = other.paymentResponsibilityLevelCode
        if level in seen:
            raise ValueError(
                f"{path}.paymentResponsibilityLevelCode {level} is already used "
                "(subscriber.paymentResponsibilityLevelCode or another payer)"
            )
        seen.add(level)
        if guide != "837P" and other.insuranceTypeCode is not None:
            raise ValueError(f"{path}.insuranceTypeCode is not used in the {guide}")
        if guide == "837I" and other.patientSignatureGeneratedForPatient:
            raise ValueError(f"{path}.patientSignatureGeneratedForPatient is not used in the 837I")


class ClaimHeader(Model):
    """CLM as the 837P and the 837D write it (the 837I's differs: a facility code, no
    signature): the first fields of their ``claimInformation``, with SBR09's filing code."""

    claimFilingCode: ClaimFilingCode
    patientControlNumber: Annotated[str, Field(min_length=1, max_length=38)]
    claimChargeAmount: Charge
    placeOfServiceCode: Annotated[str, Field(pattern=r"^\d{2}$")]
    claimFrequencyCode: Literal["1", "7", "8"] = "1"
    signatureIndicator: Literal["Y", "N"] = "Y"
    planParticipationCode: Literal["A", "B", "C"] = "A"
    benefitsAssignmentCertificationIndicator: Literal["Y", "N", "W"] = "Y"
    releaseInformationCode: Literal["I", "Y"] = "Y"


class ClaimInformation(ClaimHeader):
    """2300: the claim (CLM), its diagnoses (HI), numbers (REF) and service lines (2400)."""

    priorAuthorizationNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    referralNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    payerClaimControlNumber: Annotated[
        str | None,
        Field(min_length=1, max_length=50, description="REF*F8: the claim a 7 or 8 replaces"),
    ] = None
    medicalRecordNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    healthCareCodeInformation: Annotated[list[DiagnosisCode], Field(min_length=1, max_length=12)]
    renderingProvider: RenderingProvider | None = None
    claimSupplementalInformation: ClaimSupplementalInformation | None = None
    claimNote: ClaimNote | None = None
    otherSubscriberInformation: Annotated[
        list[OtherSubscriberInformation], Field(max_length=10)
    ] = Field(default_factory=list)
    serviceLines: Annotated[list[ServiceLine], Field(min_length=1, max_length=50)]

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "claimFilingCode": "CI",
                "patientControlNumber": "PCN0001",
                "claimChargeAmount": "125",
                "placeOfServiceCode": "11",
                "claimFrequencyCode": "1",
                "signatureIndicator": "Y",
                "planParticipationCode": "A",
                "benefitsAssignmentCertificationIndicator": "Y",
                "releaseInformationCode": "Y",
                "healthCareCodeInformation": [
                    {"diagnosisTypeCode": "ABK", "diagnosisCode": "J069"}
                ],
                "serviceLines": [example(ServiceLine)],
            }
        }
    )


class ClaimParties(Model):
    """The parts every claim kind shares: the transaction's control number and its parties."""

    controlNumber: Annotated[
        str,
        Field(
            pattern=r"^\d{4,9}$",
            description="ST02 and BHT03: 4-9 digits, unique per sender",
        ),
    ]
    tradingPartnerServiceId: Annotated[
        str, Field(min_length=2, max_length=80, description="the payer ID (1000B receiver NM109)")
    ]
    submitter: Submitter
    receiver: Receiver
    billing: BillingProvider
    subscriber: Subscriber
    dependent: Dependent | None = None
    payer: Payer


class _ClaimBody(ClaimParties):
    claimInformation: ClaimInformation


def claim_example(
    control_number: str, claim_information: dict[str, Any], **billing: str
) -> dict[str, Any]:
    """The OpenAPI example of a claim: the parties every kind shares (the billing provider
    with ``billing`` changed) and its ``claimInformation``."""
    return {
        "controlNumber": control_number,
        "tradingPartnerServiceId": "77001",
        "submitter": example(Submitter),
        "receiver": {"organizationName": "Northwind Health"},
        "billing": {**example(BillingProvider), **billing},
        "subscriber": example(Subscriber),
        "payer": {"organizationName": "Northwind Health", "payerId": "77001"},
        "claimInformation": claim_information,
    }


_EXAMPLE = claim_example("000000001", example(ClaimInformation))


class ClaimSubmission(_ClaimBody):
    """A professional claim (837P, 005010X222A1) to submit.

    Checked beyond the field formats: the claim charge equals the sum of the
    line charges, a diagnosis pointer points at a listed diagnosis, the first
    diagnosis is the principal one (ABK/BK) and the others are not, codes with an
    ICD-10-CM qualifier have the ICD-10-CM form, attachments use the TR3's codes (and
    a control number unless AA), other payers each have their own responsibility level,
    and a payer ID is given (``payer.payerId``, else ``tradingPartnerServiceId``). NPIs carry a valid check
    digit (the ``Npi`` type).
    """

    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    @model_validator(mode="after")
    def _consistent(self) -> ClaimSubmission:
        info = self.claimInformation
        check_charge_total(
            info.claimChargeAmount,
            (line.professionalService.lineItemChargeAmount for line in info.serviceLines),
        )
        codes = info.healthCareCodeInformation
        check_principal_first(codes)
        for n, line in enumerate(info.serviceLines, 1):
            check_pointers(
                f"serviceLines[{n}]",
                line.professionalService.compositeDiagnosisCodePointers,
                len(codes),
            )
        check_health_care_codes(codes)
        check_attachments(info.claimSupplementalInformation)
        check_other_payers(
            self.subscriber.paymentResponsibilityLevelCode, info.otherSubscriberInformation
        )
        if self.payer.payerId is None:
            self.payer.payerId = self.tradingPartnerServiceId
        return self


class ClaimView(_ClaimBody):
    """A stored 837P claim as JSON: the shape of :class:`ClaimSubmission`, not re-validated
    for consistency (a stored claim is shown as it was received); ``controlNumber`` is its BHT03."""

    controlNumber: Annotated[str, Field(description="BHT03 of the stored transaction set")]

    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})
