"""Back-office (admin-only) API models: trading partners, the built-in payer's members and
benefits, and a payer's decision on a stored claim.

The member load is the payer's enrollment and benefit data, flattened: each member becomes
one 271 (see :mod:`gateway.api.admin`) that ``POST /v1/eligibility`` then answers from.
Benefits carry the X12 codes of an EB segment: ``code`` (EB01: ``1`` active coverage, ``6``
inactive, ``C`` deductible, ``G`` out-of-pocket, ``B`` copay, ``A`` coinsurance, ...),
``coverageLevelCode`` (EB02: ``IND``, ``FAM``, ...), ``serviceTypeCodes`` (EB03),
``timeQualifierCode`` (EB06: ``23`` calendar year, ``29`` remaining, ``27`` visit ...),
``amount`` (EB07), ``percent`` (EB08, a fraction: ``0.2`` is 20 %), ``inNetwork`` (EB12).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.claims import Address, Amount, Charge, example
from schemas.common import Gender, check_gender_has_birth_date

__all__ = [
    "Adjustment",
    "ClaimDecision",
    "DecisionResult",
    "MemberBenefit",
    "MemberDependent",
    "MemberLoad",
    "MemberLoadResult",
    "MemberPlan",
    "NetworkProvider",
    "PartnerCreate",
    "PartnerCreated",
    "PartnerList",
    "PartnerView",
    "PayerContact",
    "SenderId",
    "TpaContact",
    "example",
]

Text = Annotated[str, Field(min_length=1, max_length=60)]
Identifier = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9\-]+$")]
#: A non-negative fraction (EB08): 0.2 is 20 %.
Percent = Annotated[str, Field(pattern=r"^(0(\.\d{1,4})?|1(\.0{1,4})?|\.\d{1,4})$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# partners ----------------------------------------------------------------------------


class SenderId(_Model):
    """An ISA sender the partner may send as (ISA05 qualifier, ISA06 ID)."""

    qualifier: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$", examples=["ZZ"])]
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9 \-]{1,15}$", examples=["MAPLEBILLING"])]


class PartnerCreate(_Model):
    """A trading partner and the ISA senders its key may send as."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "name": "maple-billing",
                "senders": [{"qualifier": "ZZ", "id": "MAPLEBILLING"}],
            }
        },
    )

    name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9 ._\-]+$")]
    senders: Annotated[list[SenderId], Field(min_length=1, max_length=20)]


class PartnerView(_Model):
    id: int
    name: str
    senders: list[SenderId]
    activeKeys: int = 0
    createdAt: dt.datetime | None = None


class PartnerCreated(PartnerView):
    """The partner, with its new API key: shown this once, stored only as a hash."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "id": 3,
                "name": "maple-billing",
                "senders": [{"qualifier": "ZZ", "id": "MAPLEBILLING"}],
                "activeKeys": 1,
                "createdAt": "2024-03-18T10:22:00Z",
                "apiKey": "x12gw_3f9a0c1b2d4e_6kQw...",
            }
        },
    )

    apiKey: str


class PartnerList(_Model):
    items: list[PartnerView]


# members -----------------------------------------------------------------------------


class TpaContact(_Model):
    """A third-party administrator (2120C NM1*2B with PER)."""

    name: Text
    phone: Annotated[str | None, Field(pattern=r"^\d{10}$")] = None


class MemberBenefit(_Model):
    """One EB segment of the member's 271."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "code": "C",
                "coverageLevelCode": "IND",
                "serviceTypeCodes": ["30"],
                "timeQualifierCode": "23",
                "amount": "1500",
                "inNetwork": "Y",
            }
        },
    )

    code: Annotated[str, Field(pattern=r"^[0-9A-Z]{1,2}$", description="EB01")]
    coverageLevelCode: Annotated[
        str | None, Field(pattern=r"^[A-Z]{3}$", description="EB02: IND, FAM, ESP, ...")
    ] = None
    serviceTypeCodes: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Z0-9]{1,2}$")]],
        Field(max_length=99, description="EB03"),
    ] = Field(default_factory=lambda: ["30"])
    insuranceTypeCode: Annotated[
        str | None, Field(pattern=r"^[A-Z0-9]{1,3}$", description="EB04 (default: planType)")
    ] = None
    planCoverage: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    timeQualifierCode: Annotated[str | None, Field(pattern=r"^\d{1,2}$", description="EB06")] = None
    amount: Annotated[Charge | None, Field(description="EB07")] = None
    percent: Annotated[Percent | None, Field(description="EB08: a fraction, 0.2 = 20 %")] = None
    quantityQualifierCode: Annotated[str | None, Field(pattern=r"^[A-Z0-9]{2}$")] = None
    quantity: Annotated[str | None, Field(pattern=r"^\d{1,9}(\.\d{1,2})?$")] = None
    authorizationRequired: Literal["Y", "N", "U"] | None = Field(default=None, description="EB11")
    inNetwork: Literal["Y", "N", "U", "W"] | None = Field(default=None, description="EB12")
    procedureCode: Annotated[str | None, Field(pattern=r"^[A-Z0-9]{5}$")] = None
    message: Annotated[str | None, Field(min_length=1, max_length=264, description="MSG")] = None


class MemberDependent(_Model):
    """A dependent (2000D) of the member, with the benefits that are its own."""

    firstName: Text
    lastName: Text
    middleName: Text | None = None
    dateOfBirth: dt.date
    gender: Gender | None = None
    relationshipCode: Annotated[
        str, Field(pattern=r"^\d{2}$", description="INS02: 01 spouse, 19 child, ...")
    ] = "19"
    benefits: Annotated[list[MemberBenefit], Field(max_length=200)] = Field(default_factory=list)


class MemberPlan(_Model):
    """A member (the subscriber) with its plan, coverage dates, dependents and benefits."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "memberId": "NWH00012345",
                "firstName": "JANE",
                "lastName": "DOE",
                "dateOfBirth": "1980-04-12",
                "gender": "F",
                "groupNumber": "G12345",
                "groupName": "MAPLE STREET EMPLOYEES",
                "planNumber": "PPO-2024",
                "planName": "NORTHWIND PPO GOLD",
                "planType": "PR",
                "coverageBegin": "2024-01-01",
                "coverageEnd": "2024-12-31",
                "renewalDate": "2025-01-01",
                "hsa": True,
                "tpa": {"name": "HARBOR TPA", "phone": "8005550199"},
                "dependents": [
                    {
                        "firstName": "JOHN",
                        "lastName": "DOE",
                        "dateOfBirth": "2012-06-01",
                        "gender": "M",
                        "relationshipCode": "19",
                    }
                ],
                "benefits": [
                    {"code": "1", "coverageLevelCode": "FAM", "serviceTypeCodes": ["30"]},
                    example(MemberBenefit),
                    {
                        "code": "G",
                        "coverageLevelCode": "IND",
                        "serviceTypeCodes": ["30"],
                        "timeQualifierCode": "29",
                        "amount": "2200",
                        "inNetwork": "Y",
                    },
                    {
                        "code": "B",
                        "coverageLevelCode": "IND",
                        "serviceTypeCodes": ["98"],
                        "timeQualifierCode": "27",
                        "amount": "25",
                        "inNetwork": "Y",
                    },
                    {
                        "code": "A",
                        "coverageLevelCode": "IND",
                        "serviceTypeCodes": ["30"],
                        "percent": "0.2",
                        "inNetwork": "Y",
                        "message": "COINSURANCE APPLIES AFTER DEDUCTIBLE",
                    },
                ],
            }
        },
    )

    memberId: Identifier
    firstName: Text | None = None
    lastName: Text
    middleName: Text | None = None
    dateOfBirth: dt.date | None = None
    gender: Gender | None = None
    groupNumber: Identifier | None = None
    groupName: Text | None = None
    planNumber: Identifier | None = None
    planName: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    planType: Annotated[
        str | None,
        Field(
            pattern=r"^[A-Z0-9]{1,3}$",
            description="EB04 insurance type of the coverage: HM (HMO), PR (PPO), HN, C1, MB ...",
        ),
    ] = None
    coverageBegin: dt.date
    coverageEnd: dt.date | None = None
    renewalDate: dt.date | None = None
    hsa: bool = False
    hra: bool = False
    fsa: bool = False
    tpa: TpaContact | None = None
    dependents: Annotated[list[MemberDependent], Field(max_length=20)] = Field(default_factory=list)
    benefits: Annotated[list[MemberBenefit], Field(max_length=200)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self) -> MemberPlan:
        if self.coverageEnd is not None and self.coverageEnd < self.coverageBegin:
            raise ValueError("coverageEnd is before coverageBegin")
        check_gender_has_birth_date(self.gender, self.dateOfBirth)
        return self


class NetworkProvider(_Model):
    """The information receiver the stored 271s name (2100B)."""

    organizationName: Text
    npi: Annotated[str, Field(pattern=r"^\d{10}$")]


class MemberLoad(_Model):
    """The payer's members: each becomes one stored 271 that eligibility inquiries answer from."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "payerId": "77001",
                "payerName": "NORTHWIND HEALTH",
                "members": [example(MemberPlan)],
            }
        },
    )

    payerId: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,15}$")]
    payerName: Text
    provider: NetworkProvider | None = Field(
        default=None,
        description="2100B of the stored 271s; by default the payer's network (NM108 PI)",
    )
    members: Annotated[list[MemberPlan], Field(min_length=1, max_length=500)]


class MemberLoadResult(_Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "payerId": "77001",
                "loaded": 1,
                "items": [
                    {"memberId": "NWH00012345", "transactionSetId": 12, "status": "accepted"}
                ],
            }
        },
    )

    payerId: str
    loaded: int
    items: list[dict[str, Any]]


# claim decisions ----------------------------------------------------------------------


class Adjustment(_Model):
    """A CAS adjustment of the claim: group (CO, PR, OA, PI, CR), CARC reason, amount."""

    groupCode: Literal["CO", "PR", "OA", "PI", "CR"]
    reasonCode: Annotated[str, Field(pattern=r"^[A-Z0-9]{1,5}$", examples=["45"])]
    amount: Amount


class PayerContact(_Model):
    """The payer in an 835 (1000A): its address (N3/N4, required there) and phone (PER*BL)."""

    address: Address
    phone: Annotated[str | None, Field(pattern=r"^\d{10}$")] = None


class ClaimDecision(_Model):
    """The payer's decision: ``paid`` or ``denied`` sends an 835, ``pended`` a 277 (STC P1).

    For an 835 the claim must balance: charge - paidAmount = the sum of the adjustments.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "status": "paid",
                "paidAmount": "80",
                "patientResponsibility": "20",
                "adjustments": [
                    {"groupCode": "CO", "reasonCode": "45", "amount": "25"},
                    {"groupCode": "PR", "reasonCode": "2", "amount": "20"},
                ],
                "remarkCodes": ["N520"],
                "checkNumber": "00448812",
                "paymentDate": "2024-03-20",
                "payerClaimControlNumber": "2024071000123",
                "payer": {
                    "address": {
                        "address1": "4470 Old Mill Ln",
                        "city": "Ferndale",
                        "state": "OR",
                        "postalCode": "97298",
                    },
                    "phone": "8005550142",
                },
            }
        },
    )

    status: Literal["paid", "denied", "pended"]
    paidAmount: Charge = "0"
    patientResponsibility: Charge | None = Field(
        default=None, description="CLP05; by default the sum of the PR adjustments"
    )
    adjustments: Annotated[list[Adjustment], Field(max_length=99)] = Field(default_factory=list)
    remarkCodes: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Z0-9]{1,5}$")]], Field(max_length=5)
    ] = Field(default_factory=list, description="RARCs (MOA03-07)")
    checkNumber: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9\-]{1,50}$")] = None
    paymentDate: dt.date | None = None
    payerClaimControlNumber: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9\-]{1,50}$")] = None
    payer: PayerContact | None = Field(
        default=None,
        description="the 835's 1000A address and phone; by default the claim's payer address",
    )
    claimFilingIndicatorCode: Annotated[
        str | None,
        Field(
            pattern=r"^[A-Z0-9]{2}$",
            description="CLP06; by default the claim's SBR09 when the 835 allows it, else ZZ",
        ),
    ] = None
    statusCode: Annotated[
        str, Field(pattern=r"^\d{1,3}$", description="277 STC01-2 for pended (20: in process)")
    ] = "20"


class DecisionResult(_Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "claimId": 41,
                "kind": "835",
                "transactionSetId": 57,
                "status": "accepted",
                "x12": "ISA*00*...~",
            }
        },
    )

    claimId: int
    kind: Literal["835", "277"]
    transactionSetId: int | None
    status: str
    x12: str
