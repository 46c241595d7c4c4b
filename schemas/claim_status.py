"""Claim status API models: the 276 request body and the 277 response.

Shape of the widely used claim status APIs: ``controlNumber``,
``tradingPartnerServiceId`` (the payer ID), ``providers`` (the information
receiver and the billing or service provider), ``subscriber``, ``dependent``
and ``encounter``; the response lists ``claims``, each with its
``claimStatus`` entries (STC) and ``serviceLines``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from schemas.claims import Amount, Charge, Gender, Model, Npi, Quantity, Text, Tin, example

__all__ = [
    "ClaimStatus",
    "ClaimStatusClaim",
    "ClaimStatusEncounter",
    "ClaimStatusRequest",
    "ClaimStatusResponse",
    "StatusDependent",
    "StatusPayer",
    "StatusProvider",
    "StatusServiceLine",
    "StatusSubscriber",
]

Identifier = Annotated[str, Field(min_length=1, max_length=80)]


class StatusProvider(Model):
    """A provider of the request: the ``InformationReceiver`` (2100B, identified by its
    ``etin``) and the ``BillingProvider`` (2100C service provider, by ``npi``, else
    ``taxId``; ``ServiceProvider`` is accepted as a synonym and given back as
    ``BillingProvider``)."""

    providerType: Literal["InformationReceiver", "BillingProvider", "ServiceProvider"]
    organizationName: Text | None = None
    lastName: Text | None = None
    firstName: Text | None = None
    npi: Npi | None = None
    taxId: Tin | None = None
    etin: Identifier | None = None

    @model_validator(mode="after")
    def _identified(self) -> StatusProvider:
        if not (self.organizationName or self.lastName):
            raise ValueError("organizationName or lastName is required")
        if self.providerType == "InformationReceiver":
            if not self.etin:
                raise ValueError("an InformationReceiver needs its etin (NM109, qualifier 46)")
        elif not (self.npi or self.taxId):
            raise ValueError(f"a {self.providerType} needs npi or taxId")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "providerType": "BillingProvider",
                "organizationName": "Maple Street Clinic",
                "npi": "1999999984",
            }
        }
    )


class StatusSubscriber(Model):
    """2000D/2100D: the subscriber; ``dateOfBirth``/``gender`` when the subscriber is the patient."""

    memberId: Identifier
    firstName: Text | None = None
    lastName: Text
    middleName: Text | None = None
    dateOfBirth: dt.date | None = None
    gender: Gender | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "memberId": "NWH00012345",
                "firstName": "Jane",
                "lastName": "Doe",
                "dateOfBirth": "1978-04-12",
                "gender": "F",
            }
        }
    )


class StatusDependent(Model):
    """2000E/2100E: the patient when not the subscriber."""

    firstName: Text | None = None
    lastName: Text
    middleName: Text | None = None
    dateOfBirth: dt.date | None = None
    gender: Gender | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "firstName": "Pip",
                "lastName": "Doe",
                "dateOfBirth": "2015-09-23",
                "gender": "M",
            }
        }
    )


class ClaimStatusEncounter(Model):
    """2200D/E: the claim asked about. ``trackingNumber`` (TRN02) defaults to ``controlNumber``."""

    trackingNumber: Identifier | None = None
    beginningDateOfService: dt.date
    endDateOfService: dt.date | None = None
    patientControlNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    payerClaimControlNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    submittedAmount: Charge | None = None
    billTypeIdentifier: Annotated[str | None, Field(pattern=r"^\d{3}$")] = None

    @model_validator(mode="after")
    def _period(self) -> ClaimStatusEncounter:
        if (
            self.endDateOfService is not None
            and self.endDateOfService < self.beginningDateOfService
        ):
            raise ValueError("endDateOfService is before beginningDateOfService")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "beginningDateOfService": "2024-02-01",
                "endDateOfService": "2024-02-02",
                "patientControlNumber": "PCN0001",
                "submittedAmount": "310",
            }
        }
    )


class ClaimStatus(Model):
    """One STC: the status category and code with their descriptions, and (claim level) the amounts."""

    statusCategoryCode: Annotated[str, Field(min_length=1, max_length=30)]
    statusCategoryCodeValue: str | None = None
    statusCode: Annotated[str | None, Field(max_length=30)] = None
    statusCodeValue: str | None = None
    entityCode: Annotated[str | None, Field(max_length=3)] = None
    effectiveDate: dt.date | str | None = None
    submittedAmount: Amount | None = None
    amountPaid: Amount | None = None
    adjudicatedFinalizedDate: dt.date | str | None = None
    paymentMethodCode: str | None = None
    paidDate: dt.date | str | None = None
    checkNumber: str | None = None
    additionalStatuses: list[ClaimStatus] = Field(
        default_factory=list, description="STC10/STC11: further category/code/entity triples"
    )
    message: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "statusCategoryCode": "F1",
                "statusCategoryCodeValue": "Finalized/Payment-The claim/line has been paid.",
                "statusCode": "65",
                "statusCodeValue": "Claim/line has been paid.",
                "effectiveDate": "2024-03-15",
                "submittedAmount": "310",
                "amountPaid": "185",
                "adjudicatedFinalizedDate": "2024-03-14",
                "paymentMethodCode": "CHK",
                "paidDate": "2024-03-15",
                "checkNumber": "00448812",
            }
        }
    )


class StatusServiceLine(Model):
    """2210/2220: a service line (SVC), with its status entries in a response."""

    procedureIdentifier: Literal["HC", "AD", "ER", "HP", "IV", "N4", "NU", "WK"] | None = None
    procedureCode: Annotated[str | None, Field(min_length=1, max_length=48)] = None
    procedureModifiers: list[Annotated[str, Field(min_length=1, max_length=2)]] = Field(
        default_factory=list
    )
    revenueCode: Annotated[str | None, Field(pattern=r"^\d{4}$")] = None
    chargeAmount: Amount | None = None
    amountPaid: Amount | None = None
    unitCount: Quantity | None = None
    lineItemControlNumber: Annotated[str | None, Field(min_length=1, max_length=50)] = None
    beginningDateOfService: dt.date | None = None
    endDateOfService: dt.date | None = None
    claimStatus: list[ClaimStatus] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "procedureIdentifier": "HC",
                "procedureCode": "99213",
                "chargeAmount": "125",
                "amountPaid": "100",
                "unitCount": "1",
                "lineItemControlNumber": "LN0001-1",
                "beginningDateOfService": "2024-02-01",
                "claimStatus": [
                    {
                        "statusCategoryCode": "F1",
                        "statusCategoryCodeValue": "Finalized/Payment-The claim/line has been paid.",
                        "statusCode": "65",
                        "statusCodeValue": "Claim/line has been paid.",
                        "effectiveDate": "2024-03-15",
                    }
                ],
            }
        }
    )


_REQUEST_EXAMPLE: dict[str, Any] = {
    "controlNumber": "000000001",
    "tradingPartnerServiceId": "77001",
    "tradingPartnerName": "Northwind Health",
    "providers": [
        {
            "providerType": "InformationReceiver",
            "organizationName": "Maple Billing",
            "etin": "ETIN4402",
        },
        example(StatusProvider),
    ],
    "subscriber": example(StatusSubscriber),
    "encounter": example(ClaimStatusEncounter),
}


class ClaimStatusRequest(Model):
    """A claim status inquiry (276, 005010X212).

    ``providers`` holds exactly one ``InformationReceiver`` and one
    ``BillingProvider`` or ``ServiceProvider``; ``tradingPartnerName`` (the payer's
    name, NM103) defaults to the payer ID; ``serviceLines`` narrows the inquiry to
    given lines.
    """

    controlNumber: Annotated[
        str, Field(pattern=r"^\d{4,9}$", description="ST02 and BHT03: 4-9 digits")
    ]
    tradingPartnerServiceId: Annotated[str, Field(min_length=2, max_length=80)]
    tradingPartnerName: Text | None = None
    providers: Annotated[list[StatusProvider], Field(min_length=2, max_length=2)]
    subscriber: StatusSubscriber
    dependent: StatusDependent | None = None
    encounter: ClaimStatusEncounter
    serviceLines: list[StatusServiceLine] = Field(default_factory=list)

    model_config = ConfigDict(json_schema_extra={"example": _REQUEST_EXAMPLE})

    @model_validator(mode="after")
    def _complete(self) -> ClaimStatusRequest:
        kinds = [p.providerType for p in self.providers]
        if kinds.count("InformationReceiver") != 1:
            raise ValueError("providers: exactly one InformationReceiver is required")
        if len([k for k in kinds if k != "InformationReceiver"]) != 1:
            raise ValueError(
                "providers: exactly one BillingProvider or ServiceProvider is required"
            )
        for p in self.providers:
            if p.providerType == "ServiceProvider":
                p.providerType = "BillingProvider"
        if self.tradingPartnerName is None:
            self.tradingPartnerName = self.tradingPartnerServiceId
        if self.encounter.trackingNumber is None:
            self.encounter.trackingNumber = self.controlNumber
        for n, line in enumerate(self.serviceLines, 1):
            if line.claimStatus or line.amountPaid is not None:
                raise ValueError(
                    f"serviceLines[{n}]: claimStatus and amountPaid are response fields"
                )
            if not line.procedureCode or line.chargeAmount is None:
                raise ValueError(
                    f"serviceLines[{n}]: procedureCode (a revenue code with procedureIdentifier "
                    "NU) and chargeAmount are required"
                )
        return self

    def provider(self) -> StatusProvider:
        """The billing or service provider."""
        return next(p for p in self.providers if p.providerType != "InformationReceiver")

    def information_receiver(self) -> StatusProvider:
        return next(p for p in self.providers if p.providerType == "InformationReceiver")


class StatusPayer(Model):
    """2100A: the payer that answers."""

    organizationName: str | None = None
    payerIdentification: str | None = None
    contactName: str | None = None
    phoneNumber: str | None = None
    email: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"organizationName": "Northwind Health", "payerIdentification": "77001"}
        }
    )


class ClaimStatusClaim(Model):
    """One claim of the response (a 2200D/E loop): its identifiers, patient and statuses."""

    trackingNumber: str | None = None
    patientControlNumber: str | None = None
    payerClaimControlNumber: str | None = None
    billTypeIdentifier: str | None = None
    voucherIdentifier: str | None = None
    providerNpi: str | None = None
    subscriber: StatusSubscriber | None = None
    dependent: StatusDependent | None = None
    beginningDateOfService: dt.date | str | None = None
    endDateOfService: dt.date | str | None = None
    claimStatus: list[ClaimStatus] = Field(default_factory=list)
    serviceLines: list[StatusServiceLine] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "trackingNumber": "CLM-2024-0001",
                "patientControlNumber": "PCN0001",
                "payerClaimControlNumber": "2024071000123",
                "providerNpi": "1999999984",
                "subscriber": {"memberId": "NWH00012345", "lastName": "Doe", "firstName": "Jane"},
                "beginningDateOfService": "2024-02-01",
                "endDateOfService": "2024-02-02",
                "claimStatus": [example(ClaimStatus)],
                "serviceLines": [example(StatusServiceLine)],
            }
        }
    )


class ClaimStatusResponse(Model):
    """A claim status response (277, 005010X212; a 277CA reads the same way): the payer
    and every claim it reports on, with status texts filled in from the code lists."""

    controlNumber: str | None = None
    tradingPartnerServiceId: str | None = None
    payer: StatusPayer | None = None
    claims: list[ClaimStatusClaim] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "controlNumber": "RSP-20240318-01",
                "tradingPartnerServiceId": "77001",
                "payer": example(StatusPayer),
                "claims": [example(ClaimStatusClaim)],
            }
        }
    )
