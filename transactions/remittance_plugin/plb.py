"""PLB (provider adjustment), in the 835 footer.

One ``provider_adjustment`` record per PLB, keyed ``provider_adjustment:<n>``,
child of the payment: the provider, the fiscal period and up to six adjustments
(reason code, reference identifier, amount).
"""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal, InvalidOperation

from parsers.segment import Segment
from parsers.writer import Element, TransactionBuilder
from transactions.records import Record, money
from transactions.remittance_plugin.common import Fields, from_x12, to_x12
from transactions.remittance_plugin.header import KEY as PAYMENT

ENTITY = "provider_adjustment"
PAIRS = (3, 5, 7, 9, 11, 13)


def read_plb(seg: Segment, n: int) -> Record:
    fields: Fields = {}
    if seg.get(1):
        fields["providerIdentifier"] = seg.get(1)
    if seg.get(2):
        fields["fiscalPeriodDate"] = from_x12(seg.get(2), "d")
    adjustments: list[Fields] = []
    total = Decimal(0)
    for pos in PAIRS:
        reason, amt = seg.component(pos, 1), seg.get(pos + 1)
        ref = seg.component(pos, 2)
        if not (reason or ref or amt):
            continue
        adj: Fields = {"reasonCode": reason}
        if ref:
            adj["referenceIdentifier"] = ref
        if amt:
            adj["amount"] = from_x12(amt, "r")
            with suppress(InvalidOperation):
                total += Decimal(amt)
        adjustments.append(adj)
    fields["adjustments"] = adjustments
    index: Fields = {"amount": money(total)}
    return Record(ENTITY, f"{ENTITY}:{n}", PAYMENT, seg.ordinal, fields, index)


def write_plb(rec: Record, ts: TransactionBuilder) -> None:
    f = rec.fields
    values: list[Element] = [
        f.get("providerIdentifier"),
        to_x12(f.get("fiscalPeriodDate", ""), "d"),
    ]
    adjustments = f.get("adjustments", [])
    if len(adjustments) > len(PAIRS):
        raise ValueError(f"{rec.key}: a PLB holds at most {len(PAIRS)} adjustments")
    for adj in adjustments:
        reason = adj.get("reasonCode", "")
        ref = adj.get("referenceIdentifier")
        values.append((reason, ref) if ref else (reason,))
        amt = adj.get("amount")
        values.append(to_x12(amt, "r") if amt is not None else None)
    ts.add("PLB", *values)
