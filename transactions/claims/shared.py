"""Segments claims and service lines share: PWK, CN1, HCP, NTE, K3.

``attachments`` [{reportTypeCode, transmissionCode, controlNumber}] (PWK),
``contractInformation`` (CN1), ``repricing`` (HCP), ``notes`` [{noteCode,
text}] (NTE), ``fileInformation`` [..] (K3).
"""

from __future__ import annotations

from transactions.claims.codecs import P, Positional, Texts, const

ATTACHMENTS = Positional(
    "PWK",
    [
        P("reportTypeCode", 1),
        P("transmissionCode", 2),
        const(5, "AC", when="controlNumber"),
        P("controlNumber", 6),
    ],
    key="attachments",
    many=True,
)
CONTRACT = Positional(
    "CN1",
    [
        P("contractTypeCode", 1),
        P("contractAmount", 2, kind="money"),
        P("contractPercentage", 3, kind="money"),
        P("contractCode", 4),
        P("termsDiscountPercentage", 5, kind="money"),
        P("contractVersionIdentifier", 6),
    ],
    key="contractInformation",
)
REPRICING = Positional(
    "HCP",
    [
        P("pricingMethodology", 1),
        P("repricedAllowedAmount", 2, kind="money"),
        P("repricedSavingAmount", 3, kind="money"),
        P("repricingOrganizationIdentifier", 4),
        P("repricingPerDiemOrFlatRateAmount", 5, kind="money"),
        P("repricedApprovedGroupCode", 6),
        P("repricedApprovedAmount", 7, kind="money"),
        P("repricedApprovedRevenueCode", 8),
        P("productOrServiceIdQualifier", 9),
        P("repricedApprovedProcedureCode", 10),
        P("unitCode", 11),
        P("repricedApprovedServiceUnitCount", 12, kind="money"),
        P("rejectReasonCode", 13),
        P("policyComplianceCode", 14),
        P("exceptionCode", 15),
    ],
    key="repricing",
)
NOTES = Positional("NTE", [P("noteCode", 1), P("text", 2)], key="notes", many=True)
FILE_INFORMATION = Texts("K3", "fileInformation")
