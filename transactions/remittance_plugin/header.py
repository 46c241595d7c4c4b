"""835 header: BPR (financial information), TRN (reassociation trace), CUR, REF, DTM.

One ``payment`` record per transaction set, key ``payment``.
"""

from __future__ import annotations

from typing import Any

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.records import Record
from transactions.remittance_plugin.common import (
    Fields,
    Table,
    from_x12,
    put_extra,
    raw,
    read_table,
    to_x12,
    write_raw,
    write_table,
)

KEY = "payment"

BPR: Table = (
    (1, "transactionHandlingCode", "s"),
    (2, "totalActualProviderPaymentAmount", "r"),
    (3, "creditDebitFlag", "s"),
    (4, "paymentMethodCode", "s"),
    (5, "paymentFormatCode", "s"),
    (6, "senderDfiIdQualifier", "s"),
    (7, "senderDfiIdentifier", "s"),
    (8, "senderAccountNumberQualifier", "s"),
    (9, "senderAccountNumber", "s"),
    (10, "originatingCompanyIdentifier", "s"),
    (11, "originatingCompanySupplementalCode", "s"),
    (12, "receiverDfiIdQualifier", "s"),
    (13, "receiverDfiIdentifier", "s"),
    (14, "receiverAccountNumberQualifier", "s"),
    (15, "receiverAccountNumber", "s"),
    (16, "checkIssueOrEftEffectiveDate", "d"),
)

TRN: Table = (
    (1, "traceType", "s"),
    (2, "checkOrEftTraceNumber", "s"),
    (3, "payerIdentifier", "s"),
    (4, "originatingCompanySupplementalCode", "s"),
)

#: REF and DTM of the header, by qualifier
REFS = {"EV": "receiverIdentifier", "F2": "versionIdentification"}
PRODUCTION_DATE = "405"

#: segments of the ST level handled elsewhere or by the envelope
_OTHERS = frozenset({"ST", "SE", "PLB"})


def read_payment(root: Loop) -> Record:
    fields: Fields = {}
    extra: list[list[Any]] = []
    ordinal = 0
    for seg in root.segments():
        tag = seg.tag
        if tag in _OTHERS:
            continue
        if tag == "BPR" and "bpr" not in fields:
            fields["bpr"] = read_table(seg, BPR)
            ordinal = seg.ordinal
        elif tag == "TRN" and "trn" not in fields:
            fields["trn"] = read_table(seg, TRN)
        elif tag == "CUR" and "currencyCode" not in fields and seg.get(1) == "PR" and seg.get(2):
            fields["currencyCode"] = seg.get(2)
        elif tag == "REF" and seg.get(1) in REFS and REFS[seg.get(1)] not in fields and seg.get(2):
            fields[REFS[seg.get(1)]] = seg.get(2)
        elif tag == "DTM" and seg.get(1) == PRODUCTION_DATE and "productionDate" not in fields:
            fields["productionDate"] = from_x12(seg.get(2), "d")
        else:
            extra.append(raw(seg))
    # BPR and TRN fields sit at the top level, named as in the TR3
    flat: Fields = {**fields.pop("bpr", {})}
    trn = fields.pop("trn", {})
    if "originatingCompanySupplementalCode" in trn:
        trn["traceOriginatingCompanySupplementalCode"] = trn.pop(
            "originatingCompanySupplementalCode"
        )
    flat.update(trn)
    flat.update({k: v for k, v in fields.items() if v})
    put_extra(flat, extra)
    index: Fields = {}
    if flat.get("checkOrEftTraceNumber"):
        index["trace_number"] = flat["checkOrEftTraceNumber"]
    if flat.get("totalActualProviderPaymentAmount"):
        index["amount"] = flat["totalActualProviderPaymentAmount"]
    return Record("payment", KEY, None, ordinal, flat, index)


def write_payment(rec: Record, ts: TransactionBuilder) -> None:
    f = rec.fields
    ts.add("BPR", *write_table(f, BPR))
    trn = dict(f)
    trn["originatingCompanySupplementalCode"] = f.get("traceOriginatingCompanySupplementalCode")
    ts.add("TRN", *write_table(trn, TRN))
    if f.get("currencyCode"):
        ts.add("CUR", "PR", f["currencyCode"])
    for qualifier, name in REFS.items():
        if f.get(name):
            ts.add("REF", qualifier, f[name])
    if f.get("productionDate"):
        ts.add("DTM", PRODUCTION_DATE, to_x12(f["productionDate"], "d"))
    write_raw(ts, f.get("extra", []))
