"""Loop 2110 (service payment information): SVC, DTM, CAS, REF, AMT, QTY, LQ.

One ``service_payment`` record per SVC, keyed ``<claim>/service:<n>``; its CAS
reasons are ``claim_adjustment`` records under it.
"""

from __future__ import annotations

from typing import Any

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.records import Record
from transactions.remittance_plugin import cas
from transactions.remittance_plugin.common import (
    Fields,
    Table,
    compact,
    put,
    put_extra,
    raw,
    read_composite,
    read_qualified,
    read_ref,
    read_table,
    write_composite,
    write_qualified,
    write_raw,
    write_refs,
    write_table,
)

ENTITY = "service_payment"

SVC: Table = (
    (2, "lineItemChargeAmount", "r"),
    (3, "lineItemProviderPaymentAmount", "r"),
    (4, "revenueCode", "s"),
    (5, "unitsOfServicePaid", "r"),
    (7, "originalUnitsOfService", "r"),
)

DATES = {"150": "serviceStartDate", "151": "serviceEndDate", "472": "serviceDate"}
AMOUNTS = {
    "B6": "allowedAmount",
    "KH": "deductionAmount",
    "T": "taxAmount",
    "T2": "totalClaimBeforeTaxesAmount",
    "ZK": "federalMandateCategory1Amount",
    "ZL": "federalMandateCategory2Amount",
    "ZM": "federalMandateCategory3Amount",
    "ZN": "federalMandateCategory4Amount",
    "ZO": "federalMandateCategory5Amount",
}
QUANTITIES = {
    "ZK": "federalMandateCategory1Units",
    "ZL": "federalMandateCategory2Units",
    "ZM": "federalMandateCategory3Units",
    "ZN": "federalMandateCategory4Units",
    "ZO": "federalMandateCategory5Units",
}
LINE_ITEM_CONTROL = "6R"
#: REF qualifiers of "Service Identification", which comes before the 6R in the TR3
SERVICE_REFS = frozenset({"1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB"})
REMARKS = {"HE": "remarkCodes", "RX": "ncpdpRejectReasonCodes"}


def read_service(loop: Loop, parent: str, n: int) -> list[Record]:
    """The service payment record followed by its adjustments."""
    key = f"{parent}/service:{n}"
    svc = loop.first("SVC")
    fields: Fields = {}
    extra: list[list[Any]] = []
    ordinal = svc.ordinal if svc is not None else 0
    if svc is not None:
        proc = read_composite(svc, 1)
        fields.update(
            procedureQualifier=proc.get("qualifier"),
            procedureCode=proc.get("code"),
            procedureModifiers=proc.get("modifiers"),
            procedureDescription=proc.get("description"),
        )
        fields.update(read_table(svc, SVC))
        fields["originalProcedure"] = read_composite(svc, 6)
    refs: list[Fields] = []
    remarks: dict[str, list[str]] = {}
    for seg in loop.segments():
        tag = seg.tag
        if seg is svc or tag in ("DTM", "CAS", "AMT", "QTY"):
            continue
        if (
            tag == "REF"
            and seg.get(1) == LINE_ITEM_CONTROL
            and "lineItemControlNumber" not in fields
        ):
            fields["lineItemControlNumber"] = seg.get(2)
        elif tag == "REF":
            refs.append(read_ref(seg))
        elif tag == "LQ" and seg.get(1) in REMARKS and seg.get(2):
            remarks.setdefault(REMARKS[seg.get(1)], []).append(seg.get(2))
        else:
            extra.append(raw(seg))
    fields.update(read_qualified(loop.segments("DTM"), DATES, "d", extra))
    fields["references"] = refs
    amounts = read_qualified(loop.segments("AMT"), AMOUNTS, "r", extra)
    fields["allowedAmount"] = amounts.pop("allowedAmount", None)
    fields["supplementalAmounts"] = amounts
    fields["supplementalQuantities"] = read_qualified(loop.segments("QTY"), QUANTITIES, "r", extra)
    fields.update(remarks)
    fields = compact(fields)
    put_extra(fields, extra)
    index: Fields = {}
    if fields.get("procedureCode"):
        index["code"] = fields["procedureCode"]
    if fields.get("lineItemProviderPaymentAmount"):
        index["amount"] = fields["lineItemProviderPaymentAmount"]
    when = fields.get("serviceDate") or fields.get("serviceStartDate")
    if when:
        index["service_date"] = when
    rec = Record(ENTITY, key, parent, ordinal, fields, index)
    return [rec, *cas.read_adjustments(loop.segments("CAS"), key)]


def write_service(rec: Record, adjustments: list[Record], ts: TransactionBuilder) -> None:
    f = rec.fields
    proc = compact(
        {
            "qualifier": f.get("procedureQualifier"),
            "code": f.get("procedureCode"),
            "modifiers": f.get("procedureModifiers"),
            "description": f.get("procedureDescription"),
        }
    )
    values = write_table(f, SVC)
    values[0] = write_composite(proc)
    original = write_composite(f.get("originalProcedure", {}))
    if original:
        put(values, 6, original)
    ts.add("SVC", *values)
    write_qualified(ts, "DTM", f, DATES, "d")
    cas.write_adjustments(ts, adjustments)
    refs = list(f.get("references", []))
    if f.get("lineItemControlNumber"):
        at = next(
            (i for i, r in enumerate(refs) if r.get("qualifier") not in SERVICE_REFS), len(refs)
        )
        refs.insert(at, {"qualifier": LINE_ITEM_CONTROL, "value": f["lineItemControlNumber"]})
    write_refs(ts, refs)
    amounts = {**f.get("supplementalAmounts", {}), "allowedAmount": f.get("allowedAmount")}
    write_qualified(ts, "AMT", amounts, AMOUNTS, "r")
    write_qualified(ts, "QTY", f.get("supplementalQuantities", {}), QUANTITIES, "r")
    for qualifier, name in REMARKS.items():
        for code in f.get(name, []):
            ts.add("LQ", qualifier, code)
    write_raw(ts, f.get("extra", []))
