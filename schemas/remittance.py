"""Remittance (835 health care claim payment/advice) API models: the JSON view of an 835.

``payment`` (BPR/TRN, payer, payee), ``claims`` (CLP with CAS adjustments and
SVC service lines) and ``providerAdjustments`` (PLB); every adjustment reason
(CARC), remark (RARC), group and claim status code comes with its description
when the code is a known one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from schemas.claims import Model, example

__all__ = [
    "Adjustment",
    "ProviderAdjustment",
    "ProviderAdjustmentItem",
    "RemarkCode",
    "Remittance",
    "RemittanceClaim",
    "RemittanceParty",
    "RemittancePayment",
    "RemittanceServiceLine",
]

#: An amount as the 835 sent it, a canonical decimal string ("125.5", "-1.27")
Amount = Annotated[str, Field(examples=["125.5"])]
#: A date, or the text an 835 sent when it is not a real date
Day = dt.date | str


class RemittanceParty(Model):
    """1000A payer / 1000B payee."""

    organizationName: str | None = None
    identifier: str | None = None
    identifierQualifier: str | None = None
    npi: str | None = None
    taxId: str | None = None
    payerIdentifier: str | None = Field(None, description="REF*2U, the payer's ID")
    address: dict[str, str] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "organizationName": "Maple Street Clinic",
                "identifierQualifier": "XX",
                "identifier": "1999999984",
                "npi": "1999999984",
                "taxId": "123456789",
            }
        }
    )


class RemittancePayment(Model):
    """BPR and TRN: how much was paid, how, when and under which trace number."""

    method: str | None = Field(None, description="BPR04: ACH, CHK, BOP, FWT, NON")
    amount: Amount | None = None
    creditDebitFlag: str | None = None
    transactionHandlingCode: str | None = None
    traceNumber: str | None = Field(None, description="TRN02: the check or EFT trace number")
    effectiveDate: Day | None = None
    productionDate: Day | None = None
    payerIdentifier: str | None = None
    payer: RemittanceParty | None = None
    payee: RemittanceParty | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "method": "ACH",
                "amount": "185",
                "creditDebitFlag": "C",
                "traceNumber": "12345",
                "effectiveDate": "2024-03-26",
                "payer": {"organizationName": "Northwind Health", "payerIdentifier": "77001"},
                "payee": example(RemittanceParty),
            }
        }
    )


class Adjustment(Model):
    """One CAS reason: group code, CARC reason code and amount, with their descriptions."""

    groupCode: str
    groupDescription: str | None = None
    reasonCode: str
    reasonDescription: str | None = None
    amount: Amount | None = None
    quantity: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "groupCode": "CO",
                "groupDescription": "Contractual Obligations",
                "reasonCode": "45",
                "reasonDescription": "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.",
                "amount": "28.86",
            }
        }
    )


class RemarkCode(Model):
    """A remittance advice remark code (RARC) and its description."""

    code: str
    description: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "code": "N130",
                "description": "Consult plan benefit documents/guidelines for information about restrictions for this service.",
            }
        }
    )


class RemittanceServiceLine(Model):
    """2110: one service line's payment (SVC), adjustments (CAS) and remarks (LQ*HE)."""

    procedureQualifier: str | None = None
    procedureCode: str | None = None
    modifiers: list[str] = Field(default_factory=list)
    revenueCode: str | None = None
    chargeAmount: Amount | None = None
    paidAmount: Amount | None = None
    allowedAmount: Amount | None = None
    unitsPaid: str | None = None
    lineItemControlNumber: str | None = None
    serviceDate: Day | None = None
    serviceStartDate: Day | None = None
    serviceEndDate: Day | None = None
    adjustments: list[Adjustment] = Field(default_factory=list)
    remarkCodes: list[RemarkCode] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "procedureQualifier": "HC",
                "procedureCode": "99214",
                "modifiers": ["25"],
                "chargeAmount": "206.1",
                "paidAmount": "177.24",
                "allowedAmount": "177.24",
                "lineItemControlNumber": "L000000001",
                "serviceDate": "2024-03-02",
                "adjustments": [example(Adjustment)],
                "remarkCodes": [example(RemarkCode)],
            }
        }
    )


class RemittanceClaim(Model):
    """2100: one claim's payment (CLP), patient, claim-level adjustments and service lines."""

    patientControlNumber: str | None = None
    payerClaimControlNumber: str | None = None
    claimStatusCode: str | None = None
    claimStatusDescription: str | None = None
    chargeAmount: Amount | None = None
    paidAmount: Amount | None = None
    patientResponsibility: Amount | None = None
    claimFilingIndicatorCode: str | None = None
    facilityCode: str | None = None
    frequencyCode: str | None = None
    patientFirstName: str | None = None
    patientLastName: str | None = None
    memberId: str | None = None
    statementFromDate: Day | None = None
    statementToDate: Day | None = None
    claimReceivedDate: Day | None = None
    adjustments: list[Adjustment] = Field(default_factory=list)
    remarkCodes: list[RemarkCode] = Field(
        default_factory=list, description="MIA/MOA claim payment remark codes"
    )
    serviceLines: list[RemittanceServiceLine] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "patientControlNumber": "H000000000",
                "payerClaimControlNumber": "29957969245343",
                "claimStatusCode": "1",
                "claimStatusDescription": "Processed as Primary",
                "chargeAmount": "318.5",
                "paidAmount": "199.79",
                "patientResponsibility": "43.76",
                "memberId": "737558732",
                "serviceLines": [example(RemittanceServiceLine)],
            }
        }
    )


class ProviderAdjustmentItem(Model):
    """One PLB adjustment: reason code (with description), reference and amount."""

    reasonCode: str
    reasonDescription: str | None = None
    referenceIdentifier: str | None = None
    amount: Amount | None = None


class ProviderAdjustment(Model):
    """PLB: provider-level adjustments (interest, recoupments, ...)."""

    providerIdentifier: str | None = None
    fiscalPeriodDate: Day | None = None
    adjustments: list[ProviderAdjustmentItem] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "providerIdentifier": "6543210903",
                "fiscalPeriodDate": "2002-12-31",
                "adjustments": [
                    {
                        "reasonCode": "CV",
                        "reasonDescription": "Capital Passthru",
                        "referenceIdentifier": "CP",
                        "amount": "-1.27",
                    }
                ],
            }
        }
    )


_EXAMPLE: dict[str, Any] = {
    "payment": example(RemittancePayment),
    "claims": [example(RemittanceClaim)],
    "providerAdjustments": [example(ProviderAdjustment)],
}


class Remittance(Model):
    """An 835 as JSON: the payment, its claims and the provider adjustments."""

    payment: RemittancePayment
    claims: list[RemittanceClaim] = Field(default_factory=list)
    providerAdjustments: list[ProviderAdjustment] = Field(default_factory=list)

    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})
