"""Prior authorization API models: the precert rule set, the JSON 278 request and its answer.

* :class:`PrecertRule` / :data:`PrecertRules`: the payer's precertification
  rules the built-in responder decides by (``fixtures/precert-rules.json``);
* :class:`PriorAuthRequest`: what a practice-management system sends for one
  patient event (2000E) and its services (2000F); it becomes a 278 request
  (BHT02 13);
* :class:`PriorAuthResponse`: the decision, read back from the 278 response
  (BHT02 11): an overall status, the certification number and its validity,
  and a decision per service;
* :class:`PrecertRequirement`: whether a procedure needs precertification.

Dates are ISO (``YYYY-MM-DD``), amounts and units decimal strings or numbers.
Conversions to and from the records of the prior-auth plugin live in
:mod:`gateway.jsonapi.prior_auth`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    field_validator,
    model_validator,
)

from schemas.common import Gender, Npi, check_gender_has_birth_date, check_party_named

# code tables -----------------------------------------------------------------------

#: UM01: request category.
REQUEST_CATEGORIES = {
    "HS": "Health Services Review (outpatient)",
    "AR": "Admission Review",
    "SC": "Specialty Care Review (referral)",
}

#: HCR01: action codes of a 278 response and the JSON decision they stand for.
ACTION_DECISIONS = {
    "A1": "certified",
    "A2": "partially certified",
    "A3": "denied",
    "A4": "pended",
    "A6": "modified",
    "C": "cancelled",
    "CT": "contact payer",
    "NA": "no action required",
}

#: The MSG text of a service the rule set needs no precertification for (answered A1).
NO_PRECERT_MESSAGE = "NO PRECERTIFICATION REQUIRED"

# shared types ----------------------------------------------------------------------

#: text that goes into X12: no separator characters (X12 has no escape)
_TEXT = r"^[^~*:^|>\\]+$"
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True, pattern=_TEXT)
]
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=50, strip_whitespace=True, pattern=_TEXT)
]
ProcedureCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{5}$", to_upper=True, strip_whitespace=True),
    Field(description="CPT or HCPCS code (5 characters), e.g. 70551 or A0428"),
]
ServiceTypeCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{1,2}$"),
    Field(description="UM03 service type code, e.g. 62 (MRI/CAT scan), 2 (surgical)"),
]
PlaceOfService = Annotated[
    str,
    StringConstraints(pattern=r"^\d{2}$"),
    Field(description="CMS place of service code (UM04 with qualifier B), e.g. 11 office"),
]
DiagnosisCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z][0-9A-Z]{2,6}$", to_upper=True, strip_whitespace=True),
    Field(description="ICD-10-CM code without the dot, e.g. M5416"),
]
Modifier = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$", to_upper=True)]
Decision = Literal["certified", "pended", "denied"]

_RANGE = re.compile(r"^([A-Z0-9]{5})(?:-([A-Z0-9]{5}))?$")


def _kind(code: str) -> tuple[bool, bool]:
    """Codes of one kind: CPT (digits), CPT category II/III (digits + letter), HCPCS (letter + digits)."""
    return code[0].isalpha(), code[-1].isalpha()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# precertification rules ------------------------------------------------------------


class PrecertRule(_Model):
    """One rule: which procedures (and, optionally, service types and places) it covers, and
    what the payer decides when asked. The first rule that matches a service wins."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "procedureCodes": ["70551-70553", "72148"],
                "serviceTypeCodes": ["62"],
                "requiresPrecertification": True,
                "decision": "certified",
                "certifiedUnits": 1,
                "validDays": 90,
                "notes": "Advanced imaging (MRI): precertification required",
            }
        },
    )

    procedureCodes: list[str] = Field(
        min_length=1, description='codes or inclusive ranges of one kind: "72148", "70551-70553"'
    )
    serviceTypeCodes: list[ServiceTypeCode] | None = Field(
        default=None, description="only for these service types (any when left out)"
    )
    placeOfService: list[PlaceOfService] | None = Field(
        default=None, description="only at these places of service (any when left out)"
    )
    requiresPrecertification: bool
    decision: Decision = Field(
        default="certified", description="the decision when precertification is requested"
    )
    decisionReasonCode: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,2}$")] | None = (
        Field(default=None, description="HCR03 review decision reason code (code source 886)")
    )
    certifiedUnits: Decimal | None = Field(
        default=None, gt=0, description="most units certified per service; more are modified (A6)"
    )
    validDays: int = Field(default=90, ge=1, le=731, description="days a certification is valid")
    notes: str = Field(default="", max_length=264)

    @field_validator("procedureCodes")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            code = item.strip().upper()
            match = _RANGE.match(code)
            if match is None:
                raise ValueError(f"{item!r} is not a 5-character code or a range like 70551-70553")
            low, high = match.group(1), match.group(2)
            if high is not None and (high < low or _kind(low) != _kind(high)):
                raise ValueError(f"{item!r} is not an ascending range of codes of one kind")
            out.append(code)
        return out

    @model_validator(mode="after")
    def _denial_reason(self) -> PrecertRule:
        if (
            self.requiresPrecertification
            and self.decision == "denied"
            and not self.decisionReasonCode
        ):
            raise ValueError("a rule that denies needs a decisionReasonCode")
        return self

    def covers(
        self,
        procedure_code: str,
        service_type_code: str | None = None,
        place_of_service: str | None = None,
    ) -> bool:
        """Whether the rule applies; a condition the caller does not give does not exclude."""
        code = procedure_code.upper()
        if (
            self.serviceTypeCodes
            and service_type_code
            and service_type_code not in self.serviceTypeCodes
        ):
            return False
        if self.placeOfService and place_of_service and place_of_service not in self.placeOfService:
            return False
        for item in self.procedureCodes:
            low, _, high = item.partition("-")
            if not high:
                if code == low:
                    return True
            elif len(code) == len(low) and _kind(code) == _kind(low) and low <= code <= high:
                return True
        return False


#: A rule file: a JSON list of rules.
PrecertRules = TypeAdapter(list[PrecertRule])


class PrecertRequirement(_Model):
    """Whether a procedure needs precertification, by the rule set."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "procedureCode": "70551",
                "serviceTypeCode": "62",
                "requiresPrecertification": True,
                "decisionWhenRequested": "certified",
                "validDays": 90,
                "rule": ["70551-70553", "72148"],
                "notes": "Advanced imaging (MRI): precertification required",
            }
        },
    )

    procedureCode: str
    serviceTypeCode: str | None = None
    placeOfService: str | None = None
    requiresPrecertification: bool
    decisionWhenRequested: Decision | None = None
    validDays: int | None = None
    rule: list[str] | None = Field(default=None, description="the procedure codes of the rule")
    notes: str


# request ---------------------------------------------------------------------------


class Requester(_Model):
    """The provider asking (2010B): an organization name or a person's name, and its NPI."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"organizationName": "LAKESIDE ORTHOPEDICS", "npi": "1293847566"}
        },
    )

    organizationName: Name | None = None
    firstName: Name | None = None
    lastName: Name | None = None
    npi: Npi

    @model_validator(mode="after")
    def _named(self) -> Requester:
        check_party_named(self.organizationName, self.firstName, self.lastName)
        return self


class Subscriber(_Model):
    """The subscriber (2010C): member ID, name, birth date, gender, group number."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "memberId": "XJH400112233",
                "firstName": "AVERY",
                "lastName": "QUINN",
                "dateOfBirth": "1970-04-12",
                "gender": "F",
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
    def _gender_needs_birth_date(self) -> Subscriber:
        check_gender_has_birth_date(self.gender, self.dateOfBirth)
        return self


class Patient(_Model):
    """A dependent who is the patient (2010D); left out when the subscriber is the patient."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "firstName": "ELLIOT",
                "lastName": "QUINN",
                "dateOfBirth": "2015-08-09",
                "gender": "M",
                "relationshipCode": "19",
            }
        },
    )

    firstName: Name
    lastName: Name
    middleName: Name | None = None
    dateOfBirth: dt.date
    gender: Gender | None = None
    relationshipCode: Literal["01", "19", "20", "21", "39", "40", "53", "G8"] = Field(
        default="19", description="INS02: relationship to the subscriber (19 child, 01 spouse)"
    )


class Review(_Model):
    """The patient event (2000E): what is reviewed, where, when, and why (diagnoses)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "requestCategoryCode": "HS",
                "certificationTypeCode": "I",
                "serviceTypeCode": "62",
                "placeOfService": "22",
                "eventDate": "2025-04-02",
                "diagnosisCodes": ["M5416"],
            }
        },
    )

    requestCategoryCode: Literal["HS", "AR", "SC"] = Field(
        default="HS", description="UM01: HS outpatient services, AR admission, SC referral"
    )
    certificationTypeCode: Literal["I"] = Field(default="I", description="UM02: I initial")
    serviceTypeCode: ServiceTypeCode = "1"
    placeOfService: PlaceOfService | None = Field(
        default=None, description="UM04 facility code with qualifier B (place of service)"
    )
    facilityCode: Annotated[str, StringConstraints(pattern=r"^\d{2}$")] | None = Field(
        default=None,
        description="UM04 facility type code with qualifier A (UB bill type, e.g. 11), for AR",
    )
    eventDate: dt.date | None = Field(
        default=None, description="the event (DTP AAH) or, for AR, the admission (DTP 435) date"
    )
    eventDateEnd: dt.date | None = Field(
        default=None, description="the end of the event range, or, for AR, the discharge date"
    )
    diagnosisCodes: list[DiagnosisCode] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _consistent(self) -> Review:
        if self.placeOfService and self.facilityCode:
            raise ValueError("give placeOfService or facilityCode, not both")
        if self.eventDateEnd is not None:
            if self.eventDate is None:
                raise ValueError("eventDateEnd needs eventDate")
            if self.eventDateEnd < self.eventDate:
                raise ValueError("eventDateEnd is before eventDate")
        return self


class Service(_Model):
    """One requested service (2000F SV1)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "procedureCode": "72148",
                "modifiers": ["26"],
                "units": 1,
                "chargeAmount": "1450.00",
                "serviceDate": "2025-04-02",
            }
        },
    )

    procedureCode: ProcedureCode
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(default=Decimal(1), gt=0, le=99999, decimal_places=3)
    chargeAmount: Decimal | None = Field(default=None, ge=0, le=99999999, decimal_places=2)
    serviceDate: dt.date | None = None
    serviceTypeCode: ServiceTypeCode | None = Field(
        default=None, description="UM03 of the service; the review's when left out"
    )


class PriorAuthRequest(_Model):
    """A prior authorization (precertification) request: one patient event and its services."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "controlNumber": "PA-0001",
                "tradingPartnerServiceId": "87726",
                "tradingPartnerName": "EXAMPLE HEALTH PLAN",
                "requester": {"organizationName": "LAKESIDE IMAGING", "npi": "1293847566"},
                "subscriber": {
                    "memberId": "XJH400112233",
                    "firstName": "AVERY",
                    "lastName": "QUINN",
                    "dateOfBirth": "1970-04-12",
                    "gender": "F",
                },
                "review": {
                    "requestCategoryCode": "HS",
                    "certificationTypeCode": "I",
                    "serviceTypeCode": "62",
                    "placeOfService": "22",
                    "eventDate": "2025-04-02",
                    "diagnosisCodes": ["M5416"],
                },
                "services": [{"procedureCode": "72148", "units": 1, "chargeAmount": "1450.00"}],
            }
        },
    )

    controlNumber: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Za-z0-9-]{1,40}$"),
        Field(description="trace number (2000E TRN02) the 278 response echoes; also BHT03"),
    ]
    tradingPartnerServiceId: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Za-z0-9-]{1,15}$"),
        Field(description="payer (UMO) ID: 2010A NM109, qualifier PI"),
    ]
    tradingPartnerName: Name | None = Field(
        default=None, description="payer name (2010A NM103); the payer ID when left out"
    )
    requester: Requester
    subscriber: Subscriber
    patient: Patient | None = Field(default=None, description="the dependent who is the patient")
    review: Review
    services: list[Service] = Field(min_length=1, max_length=50)


# response --------------------------------------------------------------------------


class ServiceDecision(_Model):
    """The decision on one service (2000F HCR)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "procedureCode": "72148",
                "decision": "certified",
                "actionCode": "A1",
                "precertificationRequired": True,
                "certificationNumber": "PA2504020A1B2C",
                "units": "1",
                "validFrom": "2025-04-02",
                "validTo": "2025-06-30",
            }
        },
    )

    procedureCode: str | None = None
    modifiers: list[str] | None = None
    decision: str = Field(description="certified, pended, denied, modified (fewer units)")
    actionCode: str | None = Field(default=None, description="HCR01")
    precertificationRequired: bool = True
    certificationNumber: str | None = None
    reasonCode: str | None = Field(default=None, description="HCR03 decision reason code")
    units: str | None = Field(default=None, description="units certified (or requested)")
    requestedUnits: str | None = None
    validFrom: dt.date | None = None
    validTo: dt.date | None = None
    message: str | None = None


class PriorAuthResponse(_Model):
    """The answer to a prior authorization request, from the 278 response."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "controlNumber": "PA-0001",
                "status": "certified",
                "actionCode": "A1",
                "certificationNumber": "PA2504020A1B2C",
                "reviewNumber": "PA2504020A1B2C",
                "validFrom": "2025-04-02",
                "validTo": "2025-06-30",
                "services": [
                    {
                        "procedureCode": "72148",
                        "decision": "certified",
                        "actionCode": "A1",
                        "precertificationRequired": True,
                        "certificationNumber": "PA2504020A1B2C",
                        "units": "1",
                    }
                ],
                "x12": "ISA*00*...~",
                "x12Request": "ISA*00*...~",
            }
        },
    )

    id: int | None = Field(default=None, description="the stored 278 response")
    requestId: int | None = Field(default=None, description="the stored 278 request")
    controlNumber: str | None = None
    status: Literal["certified", "pended", "denied", "partially certified"]
    actionCode: str | None = None
    certificationNumber: str | None = Field(default=None, description="when anything is certified")
    reviewNumber: str | None = Field(default=None, description="the payer's review ID (HCR02)")
    reasonCode: str | None = None
    precertificationRequired: bool | None = Field(
        default=None,
        description="false when no service needed precertification (answered A1 all the same)",
    )
    validFrom: dt.date | None = None
    validTo: dt.date | None = None
    services: list[ServiceDecision] = Field(default_factory=list)
    x12: str | None = None
    x12Request: str | None = None
