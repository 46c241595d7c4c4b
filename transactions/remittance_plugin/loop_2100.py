"""Loop 2100 (claim payment information): CLP, CAS, NM1, MIA, MOA, REF, DTM, PER, AMT, QTY.

One ``claim_payment`` record per CLP, keyed ``claim:<n>`` (numbered across the
transaction set), child of its ``header_number``; its CAS reasons are
``claim_adjustment`` records and its 2110 loops ``service_payment`` records.
"""

from __future__ import annotations

from typing import Any

from parsers.tree import Loop
from parsers.writer import Element, TransactionBuilder
from transactions.records import Record
from transactions.remittance_plugin import cas, loop_2110
from transactions.remittance_plugin.common import (
    Fields,
    Table,
    compact,
    put,
    put_extra,
    raw,
    read_contact,
    read_nm1,
    read_qualified,
    read_ref,
    read_table,
    write_contact,
    write_nm1,
    write_qualified,
    write_raw,
    write_refs,
    write_table,
)

ENTITY = "claim_payment"

CLP: Table = (
    (1, "patientControlNumber", "s"),
    (2, "claimStatusCode", "s"),
    (3, "totalClaimChargeAmount", "r"),
    (4, "claimPaymentAmount", "r"),
    (5, "patientResponsibilityAmount", "r"),
    (6, "claimFilingIndicatorCode", "s"),
    (7, "payerClaimControlNumber", "s"),
    (8, "facilityCode", "s"),
    (9, "frequencyCode", "s"),
    (11, "drgCode", "s"),
    (12, "drgWeight", "r"),
    (13, "dischargeFraction", "r"),
)

#: NM101 -> field, in the TR3's order
NAMES = {
    "QC": "patient",
    "IL": "insured",
    "74": "correctedPatient",
    "82": "serviceProvider",
    "TT": "crossoverCarrier",
    "PR": "correctedPriorityPayer",
    "GB": "otherSubscriber",
}

MIA: Table = (
    (1, "coveredDaysOrVisitsCount", "r"),
    (2, "ppsOperatingOutlierAmount", "r"),
    (3, "lifetimePsychiatricDaysCount", "r"),
    (4, "claimDrgAmount", "r"),
    (6, "claimDisproportionateShareAmount", "r"),
    (7, "claimMspPassThroughAmount", "r"),
    (8, "claimPpsCapitalAmount", "r"),
    (9, "ppsCapitalFspDrgAmount", "r"),
    (10, "ppsCapitalHspDrgAmount", "r"),
    (11, "ppsCapitalDshDrgAmount", "r"),
    (12, "oldCapitalAmount", "r"),
    (13, "ppsCapitalImeAmount", "r"),
    (14, "ppsOperatingHospitalSpecificDrgAmount", "r"),
    (15, "costReportDayCount", "r"),
    (16, "ppsOperatingFederalSpecificDrgAmount", "r"),
    (17, "claimPpsCapitalOutlierAmount", "r"),
    (18, "claimIndirectTeachingAmount", "r"),
    (19, "nonpayableProfessionalComponentAmount", "r"),
    (24, "ppsCapitalExceptionAmount", "r"),
)
MIA_REMARKS = (5, 20, 21, 22, 23)

MOA: Table = (
    (1, "reimbursementRate", "r"),
    (2, "hcpcsPayableAmount", "r"),
    (8, "esrdPaymentAmount", "r"),
    (9, "nonpayableProfessionalComponentAmount", "r"),
)
MOA_REMARKS = (3, 4, 5, 6, 7)

DATES = {
    "232": "statementFromDate",
    "233": "statementToDate",
    "036": "coverageExpirationDate",
    "050": "claimReceivedDate",
}
AMOUNTS = {
    "AU": "coverageAmount",
    "D8": "discountAmount",
    "DY": "perDayLimitAmount",
    "F5": "patientAmountPaid",
    "I": "interestAmount",
    "NL": "negativeLedgerBalance",
    "T": "taxAmount",
    "T2": "totalClaimBeforeTaxesAmount",
    "ZK": "federalMandateCategory1Amount",
    "ZL": "federalMandateCategory2Amount",
    "ZM": "federalMandateCategory3Amount",
    "ZN": "federalMandateCategory4Amount",
    "ZO": "federalMandateCategory5Amount",
}
QUANTITIES = {
    "CA": "coveredActual",
    "CD": "coInsuredActual",
    "LA": "lifetimeReserveActual",
    "LE": "lifetimeReserveEstimated",
    "NE": "nonCoveredEstimated",
    "NR": "notReplacedBloodUnits",
    "OU": "outlierDays",
    "PS": "prescriptions",
    "VS": "visits",
    "ZK": "federalMandateCategory1Units",
    "ZL": "federalMandateCategory2Units",
    "ZM": "federalMandateCategory3Units",
    "ZN": "federalMandateCategory4Units",
    "ZO": "federalMandateCategory5Units",
}

_QUALIFIED = ("DTM", "AMT", "QTY", "CAS")


def _adjudication(loop: Loop, tag: str, table: Table, remarks: tuple[int, ...]) -> Fields:
    seg = loop.first(tag)
    if seg is None:
        return {}
    out = read_table(seg, table)
    codes = [seg.get(pos) for pos in remarks if seg.get(pos)]
    if codes:
        out["claimPaymentRemarkCodes"] = codes
    return out


def _write_adjudication(
    ts: TransactionBuilder, tag: str, fields: Fields, table: Table, remarks: tuple[int, ...]
) -> None:
    if not fields:
        return
    values: list[Element] = write_table(fields, table)
    for pos, code in zip(remarks, fields.get("claimPaymentRemarkCodes", []), strict=False):
        put(values, pos, code)
    ts.add(tag, *values)


def read_claim(loop: Loop, parent: str, n: int) -> list[Record]:
    """The claim payment record, its adjustments, then each service and its adjustments."""
    key = f"claim:{n}"
    clp = loop.first("CLP")
    fields: Fields = read_table(clp, CLP) if clp is not None else {}
    extra: list[list[Any]] = []
    refs: list[Fields] = []
    contacts: list[Fields] = []
    for seg in loop.segments():
        tag = seg.tag
        if seg is clp or tag in _QUALIFIED:
            continue
        name = NAMES.get(seg.get(1)) if tag == "NM1" else None
        if name is not None and name not in fields:
            fields[name] = read_nm1(seg)
        elif tag in ("MIA", "MOA") and seg is loop.first(tag):
            continue
        elif tag == "REF":
            refs.append(read_ref(seg))
        elif tag == "PER":
            contacts.append(read_contact(seg))
        else:
            extra.append(raw(seg))
    fields["inpatientAdjudication"] = _adjudication(loop, "MIA", MIA, MIA_REMARKS)
    fields["outpatientAdjudication"] = _adjudication(loop, "MOA", MOA, MOA_REMARKS)
    fields["references"] = refs
    fields.update(read_qualified(loop.segments("DTM"), DATES, "d", extra))
    fields["contacts"] = contacts
    fields["supplementalAmounts"] = read_qualified(loop.segments("AMT"), AMOUNTS, "r", extra)
    fields["supplementalQuantities"] = read_qualified(loop.segments("QTY"), QUANTITIES, "r", extra)
    member = fields.get("insured", {}).get("identifier") or fields.get("patient", {}).get(
        "identifier"
    )
    if member:
        fields["memberId"] = member
    fields = compact(fields)
    put_extra(fields, extra)

    records = cas.read_adjustments(loop.segments("CAS"), key)
    for i, sub in enumerate(loop.loops("2110"), 1):
        records += loop_2110.read_service(sub, key, i)

    index: Fields = {}
    for name, column in (
        ("patientControlNumber", "patient_control_number"),
        ("payerClaimControlNumber", "payer_claim_control_number"),
        ("claimPaymentAmount", "amount"),
        ("memberId", "member_id"),
    ):
        if fields.get(name):
            index[column] = fields[name]
    npi = fields.get("serviceProvider", {}).get("npi")
    if npi:
        index["npi"] = npi
    when = fields.get("statementFromDate") or min(
        (r.index["service_date"] for r in records if "service_date" in r.index),
        default=None,
    )
    if when:
        index["service_date"] = when
    ordinal = clp.ordinal if clp is not None else 0
    return [Record(ENTITY, key, parent, ordinal, fields, index), *records]


def write_claim(rec: Record, kids: dict[str | None, list[Record]], ts: TransactionBuilder) -> None:
    f = rec.fields
    ts.add("CLP", *write_table(f, CLP))
    mine = kids.get(rec.key, [])
    cas.write_adjustments(ts, [r for r in mine if r.entity == cas.ENTITY])
    for qualifier, name in NAMES.items():
        if f.get(name):
            write_nm1(ts, qualifier, f[name])
    _write_adjudication(ts, "MIA", f.get("inpatientAdjudication", {}), MIA, MIA_REMARKS)
    _write_adjudication(ts, "MOA", f.get("outpatientAdjudication", {}), MOA, MOA_REMARKS)
    write_refs(ts, f.get("references", []))
    write_qualified(ts, "DTM", f, DATES, "d")
    for contact in f.get("contacts", []):
        write_contact(ts, contact)
    write_qualified(ts, "AMT", f.get("supplementalAmounts", {}), AMOUNTS, "r")
    write_qualified(ts, "QTY", f.get("supplementalQuantities", {}), QUANTITIES, "r")
    write_raw(ts, f.get("extra", []))
    for svc in mine:
        if svc.entity == loop_2110.ENTITY:
            adjustments = [r for r in kids.get(svc.key, []) if r.entity == cas.ENTITY]
            loop_2110.write_service(svc, adjustments, ts)
