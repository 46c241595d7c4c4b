"""Loop 2000 (header number): LX, TS3 (provider summary), TS2 (provider supplemental summary).

One ``header_number`` record per LX, keyed ``header:<n>``, child of the payment;
the claims of the loop are its children.
"""

from __future__ import annotations

from typing import Any

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.records import Record
from transactions.remittance_plugin import loop_2100
from transactions.remittance_plugin.common import (
    Fields,
    Table,
    compact,
    first_ordinal,
    put_extra,
    raw,
    read_table,
    write_raw,
    write_table,
)
from transactions.remittance_plugin.header import KEY as PAYMENT

ENTITY = "header_number"

TS3: Table = (
    (1, "providerIdentifier", "s"),
    (2, "facilityTypeCode", "s"),
    (3, "fiscalPeriodDate", "d"),
    (4, "totalClaimCount", "r"),
    (5, "totalClaimChargeAmount", "r"),
    (13, "totalMspPayerAmount", "r"),
    (15, "totalNonLabChargeAmount", "r"),
    (17, "totalHcpcsReportedChargeAmount", "r"),
    (18, "totalHcpcsPayableAmount", "r"),
    (20, "totalProfessionalComponentAmount", "r"),
    (21, "totalMspPatientLiabilityMetAmount", "r"),
    (22, "totalPatientReimbursementAmount", "r"),
    (23, "totalPipClaimCount", "r"),
    (24, "totalPipAdjustmentAmount", "r"),
)

TS2: Table = (
    (1, "totalDrgAmount", "r"),
    (2, "totalFederalSpecificAmount", "r"),
    (3, "totalHospitalSpecificAmount", "r"),
    (4, "totalDisproportionateShareAmount", "r"),
    (5, "totalCapitalAmount", "r"),
    (6, "totalIndirectMedicalEducationAmount", "r"),
    (7, "totalOutlierDayCount", "r"),
    (8, "totalDayOutlierAmount", "r"),
    (9, "totalCostOutlierAmount", "r"),
    (10, "averageDrgLengthOfStay", "r"),
    (11, "totalDischargeCount", "r"),
    (12, "totalCostReportDayCount", "r"),
    (13, "totalCoveredDayCount", "r"),
    (14, "totalNoncoveredDayCount", "r"),
    (15, "totalMspPassThroughAmount", "r"),
    (16, "averageDrgWeight", "r"),
    (17, "totalPpsCapitalFspDrgAmount", "r"),
    (18, "totalPpsCapitalHspDrgAmount", "r"),
    (19, "totalPpsDshDrgAmount", "r"),
)


def read_header(loop: Loop, n: int, claims_before: int) -> list[Record]:
    """The header number record then its claims (numbered from ``claims_before + 1``)."""
    key = f"header:{n}"
    fields: Fields = {}
    extra: list[list[Any]] = []
    for seg in loop.segments():
        if seg.tag == "LX" and "assignedNumber" not in fields:
            fields["assignedNumber"] = seg.get(1)
        elif seg.tag == "TS3" and "providerSummary" not in fields:
            fields["providerSummary"] = read_table(seg, TS3)
        elif seg.tag == "TS2" and "providerSupplementalSummary" not in fields:
            fields["providerSupplementalSummary"] = read_table(seg, TS2)
        else:
            extra.append(raw(seg))
    fields = compact(fields)
    put_extra(fields, extra)
    records = [Record(ENTITY, key, PAYMENT, first_ordinal(loop), fields, {})]
    for i, claim in enumerate(loop.loops("2100"), claims_before + 1):
        records += loop_2100.read_claim(claim, key, i)
    return records


def write_header(rec: Record, kids: dict[str | None, list[Record]], ts: TransactionBuilder) -> None:
    f = rec.fields
    ts.add("LX", f.get("assignedNumber"))
    if f.get("providerSummary"):
        ts.add("TS3", *write_table(f["providerSummary"], TS3))
    if f.get("providerSupplementalSummary"):
        ts.add("TS2", *write_table(f["providerSupplementalSummary"], TS2))
    write_raw(ts, f.get("extra", []))
    for claim in kids.get(rec.key, []):
        if claim.entity == loop_2100.ENTITY:
            loop_2100.write_claim(claim, kids, ts)
