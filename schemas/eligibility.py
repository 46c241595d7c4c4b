"""Eligibility API models: the JSON body of a 270 inquiry and of the 271 answer.

Names follow the X12 meaning and the shape the widely used eligibility APIs
share: ``controlNumber`` (the TRN02 trace that links the 271 to its 270),
``tradingPartnerServiceId`` (the payer ID), ``provider``, ``subscriber``,
``dependents``, ``encounter``; the answer adds ``planStatus``,
``planInformation``, ``planDateInformation``, ``benefitsInformation`` and
``errors``. Dates are ISO (``YYYY-MM-DD``; a range is ``start/end``), amounts
decimal strings. The code tables below name the codes a response carries.

Conversions between these models and the normalized records of the
eligibility plugin live in :mod:`gateway.jsonapi.eligibility`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from schemas.common import Gender, Npi, check_gender_has_birth_date, check_party_named

# code tables -----------------------------------------------------------------------

#: EB01: eligibility or benefit information.
ELIGIBILITY_CODES = {
    "1": "Active Coverage",
    "2": "Active - Full Risk Capitation",
    "3": "Active - Services Capitated",
    "4": "Active - Services Capitated to Primary Care Physician",
    "5": "Active - Pending Investigation",
    "6": "Inactive",
    "7": "Inactive - Pending Eligibility Update",
    "8": "Inactive - Pending Investigation",
    "A": "Co-Insurance",
    "B": "Co-Payment",
    "C": "Deductible",
    "CB": "Coverage Basis",
    "D": "Benefit Description",
    "E": "Exclusions",
    "F": "Limitations",
    "G": "Out of Pocket (Stop Loss)",
    "H": "Unlimited",
    "I": "Non-Covered",
    "J": "Cost Containment",
    "K": "Reserve",
    "L": "Primary Care Provider",
    "M": "Pre-existing Condition",
    "MC": "Managed Care Coordinator",
    "N": "Services Restricted to Following Provider",
    "O": "Not Deemed a Medical Necessity",
    "P": "Benefit Disclaimer",
    "Q": "Second Surgical Opinion Required",
    "R": "Other or Additional Payor",
    "S": "Prior Year(s) History",
    "T": "Card(s) Reported Lost/Stolen",
    "U": "Contact Following Entity for Eligibility or Benefit Information",
    "V": "Cannot Process",
    "W": "Other Source of Data",
    "X": "Health Care Facility",
    "Y": "Spend Down",
}

#: EB01 codes that tell the plan's status (``planStatus``).
PLAN_STATUS_CODES = frozenset("12345678")

#: EB03 / EQ01: service types (the common ones; other codes pass through unnamed).
SERVICE_TYPES = {
    "1": "Medical Care",
    "2": "Surgical",
    "3": "Consultation",
    "4": "Diagnostic X-Ray",
    "5": "Diagnostic Lab",
    "6": "Radiation Therapy",
    "7": "Anesthesia",
    "8": "Surgical Assistance",
    "12": "Durable Medical Equipment Purchase",
    "18": "Durable Medical Equipment Rental",
    "20": "Second Surgical Opinion",
    "23": "Diagnostic Dental",
    "30": "Health Benefit Plan Coverage",
    "33": "Chiropractic",
    "35": "Dental Care",
    "38": "Orthodontics",
    "41": "Routine (Preventive) Dental",
    "42": "Home Health Care",
    "45": "Hospice",
    "47": "Hospital",
    "48": "Hospital - Inpatient",
    "50": "Hospital - Outpatient",
    "51": "Hospital - Emergency Accident",
    "52": "Hospital - Emergency Medical",
    "53": "Hospital - Ambulatory Surgical",
    "54": "Long Term Care",
    "62": "MRI/CAT Scan",
    "73": "Diagnostic Medical",
    "76": "Dialysis",
    "78": "Chemotherapy",
    "80": "Immunizations",
    "81": "Routine Physical",
    "82": "Family Planning",
    "86": "Emergency Services",
    "88": "Pharmacy",
    "93": "Podiatry",
    "98": "Professional (Physician) Visit - Office",
    "99": "Professional (Physician) Visit - Inpatient",
    "A0": "Professional (Physician) Visit - Outpatient",
    "A4": "Psychiatric",
    "A6": "Psychotherapy",
    "AD": "Occupational Therapy",
    "AE": "Physical Medicine",
    "AF": "Speech Therapy",
    "AG": "Skilled Nursing Care",
    "AI": "Substance Abuse",
    "AL": "Vision (Optometry)",
    "BY": "Physician Visit - Office: Sick",
    "BZ": "Physician Visit - Office: Well",
    "DM": "Durable Medical Equipment",
    "MH": "Mental Health",
    "PT": "Physical Therapy",
    "UC": "Urgent Care",
}

#: AAA03: why a request (or part of it) was rejected.
REJECT_REASONS = {
    "04": "Authorized Quantity Exceeded",
    "15": "Required Application Data Missing",
    "33": "Input Errors",
    "35": "Out of Network",
    "41": "Authorization/Access Restrictions",
    "42": "Unable to Respond at Current Time",
    "43": "Invalid/Missing Provider Identification",
    "44": "Invalid/Missing Provider Name",
    "45": "Invalid/Missing Provider Specialty",
    "46": "Invalid/Missing Provider Phone Number",
    "47": "Invalid/Missing Provider State",
    "48": "Invalid/Missing Referring Provider Identification Number",
    "49": "Provider is Not Primary Care Physician",
    "50": "Provider Ineligible for Inquiries",
    "51": "Provider Not on File",
    "52": "Service Dates Not Within Provider Plan Enrollment",
    "53": "Inquired Benefit Inconsistent with Provider Type",
    "54": "Inappropriate Product/Service ID Qualifier",
    "55": "Inappropriate Product/Service ID",
    "56": "Inappropriate Date",
    "57": "Invalid/Missing Date(s) of Service",
    "58": "Invalid/Missing Date-of-Birth",
    "60": "Date of Birth Follows Date(s) of Service",
    "61": "Date of Death Precedes Date(s) of Service",
    "62": "Date of Service Not Within Allowable Inquiry Period",
    "63": "Date of Service in Future",
    "64": "Invalid/Missing Patient ID",
    "65": "Invalid/Missing Patient Name",
    "66": "Invalid/Missing Patient Gender Code",
    "67": "Patient Not Found",
    "68": "Duplicate Patient ID Number",
    "69": "Inconsistent with Patient's Age",
    "70": "Inconsistent with Patient's Gender",
    "71": "Patient Birth Date Does Not Match That for the Patient on the Database",
    "72": "Invalid/Missing Subscriber/Insured ID",
    "73": "Invalid/Missing Subscriber/Insured Name",
    "74": "Invalid/Missing Subscriber/Insured Gender Code",
    "75": "Subscriber/Insured Not Found",
    "76": "Duplicate Subscriber/Insured ID Number",
    "77": "Subscriber Found, Patient Not Found",
    "78": "Subscriber/Insured Not in Group/Plan Identified",
    "79": "Invalid Participant Identification",
    "80": "No Response received - Transaction Terminated",
    "97": "Invalid or Missing Provider Address",
    "T4": "Payer Name or Identifier Missing",
}

#: AAA04: what the requester should do next.
FOLLOW_UP_ACTIONS = {
    "C": "Please Correct and Resubmit",
    "N": "Resubmission Not Allowed",
    "P": "Please Resubmit Original Transaction",
    "R": "Resubmission Allowed",
    "S": "Do Not Resubmit; Inquiry Initiated to a Third Party",
    "W": "Please Wait 30 Days and Resubmit",
    "X": "Please Wait 10 Days and Resubmit",
    "Y": "Do Not Resubmit; We Will Hold Your Request and Respond Again Shortly",
}

#: EB02: coverage level.
COVERAGE_LEVELS = {
    "CHD": "Children Only",
    "DEP": "Dependents Only",
    "ECH": "Employee and Children",
    "EMP": "Employee Only",
    "ESP": "Employee and Spouse",
    "FAM": "Family",
    "IND": "Individual",
    "SPC": "Spouse and Children",
    "SPO": "Spouse Only",
}

#: EB06: time period qualifier.
TIME_QUALIFIERS = {
    "6": "Hour",
    "7": "Day",
    "13": "24 Hours",
    "21": "Years",
    "22": "Service Year",
    "23": "Calendar Year",
    "24": "Year to Date",
    "25": "Contract",
    "26": "Episode",
    "27": "Visit",
    "28": "Outlier",
    "29": "Remaining",
    "30": "Exceeded",
    "31": "Not Exceeded",
    "32": "Lifetime",
    "33": "Lifetime Remaining",
    "34": "Month",
    "35": "Week",
    "36": "Admission",
}

#: EB12: in plan network indicator.
NETWORK_INDICATORS = {"Y": "Yes", "N": "No", "U": "Unknown", "W": "Not Applicable"}

# shared types ----------------------------------------------------------------------

ServiceTypeCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{1,2}$"),
    Field(description="EQ01/EB03 service type code, e.g. 30 (health benefit plan coverage)"),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]
#: An ISO date or an ISO interval ``start/end``.
DateOrRange = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$"),
    Field(description="YYYY-MM-DD, or YYYY-MM-DD/YYYY-MM-DD for a range"),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# request ---------------------------------------------------------------------------


class Provider(_Model):
    """The provider asking (2100B): an organization name or a person's first and last name, and its NPI."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1738294614"}
        },
    )

    organizationName: Name | None = None
    firstName: Name | None = None
    lastName: Name | None = None
    npi: Npi

    @model_validator(mode="after")
    def _named(self) -> Provider:
        check_party_named(self.organizationName, self.firstName, self.lastName)
        return self


class RequestSubscriber(_Model):
    """The subscriber (2100C): member ID, name, birth date, gender, group number."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "memberId": "SHP123456789",
                "firstName": "ADA",
                "lastName": "QUILLFEATHER",
                "dateOfBirth": "1984-03-12",
                "gender": "F",
                "groupNumber": "GRP-44120",
            }
        },
    )

    memberId: Identifier
    firstName: Name | None = None
    lastName: Name
    middleName: Name | None = None
    dateOfBirth: dt.date | None = None
    gender: Gender | None = None
    groupNumber: Identifier | None = None

    @model_validator(mode="after")
    def _gender_needs_birth_date(self) -> RequestSubscriber:
        check_gender_has_birth_date(self.gender, self.dateOfBirth)
        return self


class RequestDependent(_Model):
    """A dependent who is the patient (2100D): name, birth date, gender; no member ID of its own."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "firstName": "OWEN",
                "lastName": "QUILLFEATHER",
                "dateOfBirth": "2015-07-02",
                "gender": "M",
            }
        },
    )

    firstName: Name
    lastName: Name
    middleName: Name | None = None
    dateOfBirth: dt.date
    gender: Gender | None = None


class Encounter(_Model):
    """What the inquiry is about: service types (EQ01), the date(s) of service (DTP*291), a procedure (EQ02)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"serviceTypeCodes": ["30", "98"], "dateOfService": "2025-01-15"}
        },
    )

    serviceTypeCodes: list[ServiceTypeCode] = Field(
        default_factory=lambda: ["30"], min_length=1, max_length=99
    )
    dateOfService: dt.date | None = None
    beginningDateOfService: dt.date | None = None
    endDateOfService: dt.date | None = None
    procedureCode: (
        Annotated[
            str, StringConstraints(pattern=r"^[A-Z0-9]{1,48}$"), Field(description="CPT/HCPCS (HC)")
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _dates(self) -> Encounter:
        ranged = self.beginningDateOfService is not None or self.endDateOfService is not None
        if ranged and self.dateOfService is not None:
            raise ValueError("give dateOfService or beginningDateOfService + endDateOfService")
        if ranged and (self.beginningDateOfService is None or self.endDateOfService is None):
            raise ValueError("beginningDateOfService and endDateOfService go together")
        if (
            self.beginningDateOfService is not None
            and self.endDateOfService is not None
            and self.endDateOfService < self.beginningDateOfService
        ):
            raise ValueError("endDateOfService is before beginningDateOfService")
        return self


class EligibilityRequest(_Model):
    """An eligibility and benefit inquiry (270) for one subscriber and, optionally, dependents.

    When dependents are given, each is a patient: the inquiry (EQ) and the date of
    service go under each dependent; otherwise under the subscriber.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "controlNumber": "INQ-0001",
                "tradingPartnerServiceId": "SHP01",
                "tradingPartnerName": "SUMMIT HEALTH PLAN",
                "provider": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1738294614"},
                "subscriber": {
                    "memberId": "SHP123456789",
                    "firstName": "ADA",
                    "lastName": "QUILLFEATHER",
                    "dateOfBirth": "1984-03-12",
                    "gender": "F",
                },
                "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2025-01-15"},
            }
        },
    )

    controlNumber: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Za-z0-9-]{1,50}$"),
        Field(description="trace number (TRN02) the 271 echoes; also BHT03"),
    ]
    tradingPartnerServiceId: Annotated[
        Identifier, Field(description="payer ID (2100A NM109, qualifier PI)")
    ]
    tradingPartnerName: Name | None = Field(
        default=None, description="payer name (2100A NM103); the payer ID when left out"
    )
    provider: Provider
    subscriber: RequestSubscriber
    dependents: list[RequestDependent] = Field(default_factory=list, max_length=99)
    encounter: Encounter = Field(default_factory=Encounter)


# response --------------------------------------------------------------------------


class Address(_Model):
    """N3/N4."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "address1": "41 ORCHARD LANE",
                "city": "SPRINGFIELD",
                "state": "IL",
                "postalCode": "62704",
            }
        },
    )

    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postalCode: str | None = None


class Contact(_Model):
    """PER: a contact name and its numbers."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"name": "PROVIDER SERVICES", "phone": "8005550142"}},
    )

    name: str | None = None
    phone: str | None = None
    extension: str | None = None
    fax: str | None = None
    email: str | None = None
    url: str | None = None


class Payer(_Model):
    """The information source (2100A)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"name": "SUMMIT HEALTH PLAN", "payorIdentification": "SHP01"}
        },
    )

    name: str | None = None
    payorIdentification: str | None = None
    contacts: list[Contact] = Field(default_factory=list)


class ResponseProvider(_Model):
    """The information receiver (2100B) the payer answered."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1738294614"}
        },
    )

    organizationName: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    npi: str | None = None


class DateInformation(_Model):
    """Dates by their DTP01 meaning (plan 291, planBegin 346, eligibilityBegin 356, benefit 292 ...)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"planBegin": "2025-01-01", "planEnd": "2025-12-31"}},
    )

    discharge: DateOrRange | None = None
    issue: DateOrRange | None = None
    effectiveDateOfChange: DateOrRange | None = None
    periodStart: DateOrRange | None = None
    periodEnd: DateOrRange | None = None
    completion: DateOrRange | None = None
    coordinationOfBenefits: DateOrRange | None = None
    plan: DateOrRange | None = None
    benefit: DateOrRange | None = None
    primaryCareProvider: DateOrRange | None = None
    latestVisitOrConsultation: DateOrRange | None = None
    eligibility: DateOrRange | None = None
    added: DateOrRange | None = None
    cobraBegin: DateOrRange | None = None
    cobraEnd: DateOrRange | None = None
    premiumPaidToDateBegin: DateOrRange | None = None
    premiumPaidToDateEnd: DateOrRange | None = None
    planBegin: DateOrRange | None = None
    planEnd: DateOrRange | None = None
    benefitBegin: DateOrRange | None = None
    benefitEnd: DateOrRange | None = None
    eligibilityBegin: DateOrRange | None = None
    eligibilityEnd: DateOrRange | None = None
    enrollment: DateOrRange | None = None
    admission: DateOrRange | None = None
    dateOfDeath: DateOrRange | None = None
    certification: DateOrRange | None = None
    service: DateOrRange | None = None
    policyEffective: DateOrRange | None = None
    policyExpiration: DateOrRange | None = None
    dateOfLastUpdate: DateOrRange | None = None
    status: DateOrRange | None = None


class ResponseSubscriber(_Model):
    """The subscriber (2100C) as the payer knows it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "memberId": "SHP123456789",
                "firstName": "ADA",
                "lastName": "QUILLFEATHER",
                "dateOfBirth": "1984-03-12",
                "gender": "F",
                "groupNumber": "GRP-44120",
                "planNumber": "PLN-HDHP-2025",
            }
        },
    )

    memberId: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    middleName: str | None = None
    suffix: str | None = None
    dateOfBirth: dt.date | None = None
    gender: str | None = None
    address: Address | None = None
    groupNumber: str | None = None
    planNumber: str | None = None
    relationToSubscriberCode: str | None = Field(default=None, description="INS02 (18 self)")


class PlanStatus(_Model):
    """One EB with EB01 1..8: is the coverage active, for which service types."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "statusCode": "1",
                "status": "Active Coverage",
                "planDetails": "SUMMIT HDHP GOLD",
                "serviceTypeCodes": ["30"],
            }
        },
    )

    statusCode: Literal["1", "2", "3", "4", "5", "6", "7", "8"]
    status: str
    planDetails: str | None = None
    serviceTypeCodes: list[str] = Field(default_factory=list)


class RelatedEntity(_Model):
    """A benefit related entity (2120): a TPA, a primary care provider, another payer ..."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "entityIdentifier": "2B",
                "entityIdentifierName": "third_party_administrator",
                "entityType": "organization",
                "entityName": "MERIDIAN BENEFIT ADMINISTRATORS",
                "entityIdentification": "PI",
                "entityIdentificationValue": "MBA7701",
            }
        },
    )

    entityIdentifier: str
    entityIdentifierName: str | None = None
    entityType: Literal["person", "organization"] | None = None
    entityName: str | None = None
    entityFirstName: str | None = None
    entityMiddleName: str | None = None
    entityIdentification: str | None = None
    entityIdentificationValue: str | None = None
    address: Address | None = None
    contacts: list[Contact] = Field(default_factory=list)
    providerTaxonomy: str | None = None


class Tpa(_Model):
    """A third party administrator (2120 NM1*2B) the 271 names."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"name": "MERIDIAN BENEFIT ADMINISTRATORS", "phone": "8005550199"}
        },
    )

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    identification: str | None = None


class PlanInformation(_Model):
    """Group and plan numbers (REF 6P/18/IG), the plan type, account flags and the TPA (derived)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "groupNumber": "GRP-44120",
                "groupDescription": "NORTHWIND TOOLS INC",
                "planNumber": "PLN-HDHP-2025",
                "planType": "HN",
                "hsa": True,
                "tpa": {"name": "MERIDIAN BENEFIT ADMINISTRATORS", "phone": "8005550199"},
            }
        },
    )

    groupNumber: str | None = None
    groupDescription: str | None = None
    planNumber: str | None = None
    planDescription: str | None = None
    policyNumber: str | None = None
    planType: str | None = Field(default=None, description="EB04 insurance type of the coverage")
    hsa: bool | None = Field(default=None, description="true when the 271 names an HSA")
    hra: bool | None = Field(default=None, description="true when the 271 names an HRA")
    fsa: bool | None = Field(default=None, description="true when the 271 names an FSA")
    tpa: Tpa | None = None


class ServiceDelivery(_Model):
    """HSD: how many, per which period."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "quantityQualifierCode": "VS",
                "quantity": "20",
                "timePeriodQualifier": "22",
            }
        },
    )

    quantityQualifierCode: str | None = None
    quantity: Decimal | None = None
    unitForMeasurementCode: str | None = None
    sampleSelectionModulus: Decimal | None = None
    timePeriodQualifier: str | None = None
    numOfPeriods: Decimal | None = None
    deliveryFrequencyCode: str | None = None
    deliveryPatternTimeCode: str | None = None


class Reference(_Model):
    """REF: an identifier with its qualifier."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"qualifier": "IG", "identifier": "HSA-000771"}},
    )

    qualifier: str
    identifier: str | None = None
    description: str | None = None


class IndustryCode(_Model):
    """III (2115): place of service (ZZ), nature of injury, or free text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"codeListQualifierCode": "ZZ", "industryCode": "11"}},
    )

    codeListQualifierCode: str | None = None
    industryCode: str | None = None
    codeCategory: str | None = None
    text: str | None = None


class Message(_Model):
    """MSG: free text."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"description": "HSA QUALIFIED"}}
    )

    description: str


class Benefit(_Model):
    """One EB (2110C/2110D) with what follows it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "code": "C",
                "name": "Deductible",
                "coverageLevelCode": "IND",
                "coverageLevel": "Individual",
                "serviceTypeCodes": ["30"],
                "serviceTypes": ["Health Benefit Plan Coverage"],
                "insuranceTypeCode": "HN",
                "timeQualifierCode": "29",
                "timeQualifier": "Remaining",
                "benefitAmount": "1125.25",
                "inPlanNetworkIndicatorCode": "Y",
                "inPlanNetworkIndicator": "Yes",
            }
        },
    )

    code: str
    name: str | None = None
    coverageLevelCode: str | None = None
    coverageLevel: str | None = None
    serviceTypeCodes: list[str] = Field(default_factory=list)
    serviceTypes: list[str] = Field(default_factory=list)
    insuranceTypeCode: str | None = None
    planCoverage: str | None = Field(default=None, description="EB05")
    timeQualifierCode: str | None = None
    timeQualifier: str | None = None
    benefitAmount: Decimal | None = None
    benefitPercent: Decimal | None = None
    quantityQualifierCode: str | None = None
    quantity: Decimal | None = None
    authOrCertIndicator: str | None = None
    inPlanNetworkIndicatorCode: str | None = None
    inPlanNetworkIndicator: str | None = None
    procedureQualifier: str | None = None
    procedureCode: str | None = None
    procedureModifiers: list[str] = Field(default_factory=list)
    benefitsServiceDelivery: list[ServiceDelivery] = Field(default_factory=list)
    benefitsAdditionalInformation: list[Reference] = Field(default_factory=list)
    benefitsDateInformation: DateInformation | None = None
    additionalInformation: list[Message] = Field(default_factory=list)
    eligibilityAdditionalInformation: list[IndustryCode] = Field(default_factory=list)
    benefitsRelatedEntity: list[RelatedEntity] = Field(default_factory=list)


class Error(_Model):
    """An AAA: where it was (``field`` in this JSON, ``location`` the loop), the reason and what to do."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "field": "subscriber",
                "location": "2100C",
                "code": "75",
                "description": "Subscriber/Insured Not Found",
                "followupAction": "C",
                "followupActionDescription": "Please Correct and Resubmit",
                "validRequest": False,
            }
        },
    )

    field: str
    location: str = Field(description="the loop of the AAA: 2000A, 2100A, 2100B, 2100C ...")
    code: str | None = None
    description: str | None = None
    followupAction: str | None = None
    followupActionDescription: str | None = None
    validRequest: bool | None = Field(default=None, description="AAA01 Y/N")


class ResponseDependent(ResponseSubscriber):
    """A dependent (2100D) with its own status, dates and benefits."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "firstName": "OWEN",
                "lastName": "QUILLFEATHER",
                "dateOfBirth": "2015-07-02",
                "gender": "M",
                "relationToSubscriberCode": "19",
            }
        },
    )

    planStatus: list[PlanStatus] = Field(default_factory=list)
    planDateInformation: DateInformation | None = None
    benefitsInformation: list[Benefit] = Field(default_factory=list)


class EligibilityResponse(_Model):
    """The answer (271) for one subscriber: plan status, plan information and dates, benefits, errors.

    ``planStatus`` and ``planInformation``'s ``planType``, ``hsa``/``hra``/``fsa``
    and ``tpa`` are derived from ``benefitsInformation``; the X12 is written from
    the rest. ``x12`` is the 271 text when the caller adds it.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "controlNumber": "INQ-0001",
                "tradingPartnerServiceId": "SHP01",
                "payer": {"name": "SUMMIT HEALTH PLAN", "payorIdentification": "SHP01"},
                "provider": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1738294614"},
                "subscriber": {"memberId": "SHP123456789", "lastName": "QUILLFEATHER"},
                "planStatus": [
                    {"statusCode": "1", "status": "Active Coverage", "serviceTypeCodes": ["30"]}
                ],
                "planDateInformation": {"planBegin": "2025-01-01"},
                "benefitsInformation": [
                    {"code": "1", "name": "Active Coverage", "serviceTypeCodes": ["30"]}
                ],
            }
        },
    )

    controlNumber: str | None = Field(default=None, description="the TRN02 trace the 270 sent")
    referenceIdentification: str | None = Field(default=None, description="BHT03")
    tradingPartnerServiceId: str | None = None
    payer: Payer = Field(default_factory=Payer)
    provider: ResponseProvider | None = None
    subscriber: ResponseSubscriber | None = None
    dependents: list[ResponseDependent] = Field(default_factory=list)
    planStatus: list[PlanStatus] = Field(default_factory=list)
    planInformation: PlanInformation | None = None
    planDateInformation: DateInformation | None = None
    benefitsInformation: list[Benefit] = Field(default_factory=list)
    errors: list[Error] = Field(default_factory=list)
    x12: str | None = None


__all__ = [
    "COVERAGE_LEVELS",
    "ELIGIBILITY_CODES",
    "FOLLOW_UP_ACTIONS",
    "NETWORK_INDICATORS",
    "PLAN_STATUS_CODES",
    "REJECT_REASONS",
    "SERVICE_TYPES",
    "TIME_QUALIFIERS",
    "Address",
    "Benefit",
    "Contact",
    "DateInformation",
    "EligibilityRequest",
    "EligibilityResponse",
    "Encounter",
    "Error",
    "IndustryCode",
    "Message",
    "Payer",
    "PlanInformation",
    "PlanStatus",
    "Provider",
    "Reference",
    "RelatedEntity",
    "RequestDependent",
    "RequestSubscriber",
    "ResponseDependent",
    "ResponseProvider",
    "ResponseSubscriber",
    "ServiceDelivery",
    "Tpa",
]
