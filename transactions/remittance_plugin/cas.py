"""CAS (claim and service adjustments), shared by loops 2100 and 2110.

One ``claim_adjustment`` record per adjustment reason (a CAS carries up to six),
keyed ``<parent>/adjustment:<n>``. Writing groups consecutive reasons of the same
group code back into CAS segments of up to six reasons.
"""

from __future__ import annotations

from collections.abc import Iterable

from parsers.segment import Segment
from parsers.writer import Element, TransactionBuilder
from transactions.records import Record
from transactions.remittance_plugin.common import Fields, from_x12, to_x12

ENTITY = "claim_adjustment"
TRIPLETS = (2, 5, 8, 11, 14, 17)


def read_adjustments(segs: Iterable[Segment], parent: str) -> list[Record]:
    out: list[Record] = []
    for seg in segs:
        group = seg.get(1)
        for pos in TRIPLETS:
            reason, amt, qty = seg.get(pos), seg.get(pos + 1), seg.get(pos + 2)
            if not (reason or amt or qty):
                continue
            fields: Fields = {"groupCode": group, "reasonCode": reason}
            if amt:
                fields["amount"] = from_x12(amt, "r")
            if qty:
                fields["quantity"] = from_x12(qty, "r")
            index: Fields = {"code": reason} if reason else {}
            if amt:
                index["amount"] = fields["amount"]
            key = f"{parent}/adjustment:{len(out) + 1}"
            out.append(Record(ENTITY, key, parent, seg.ordinal, fields, index))
    return out


def write_adjustments(ts: TransactionBuilder, records: Iterable[Record]) -> None:
    group: str | None = None
    values: list[Element] = []
    for rec in records:
        f = rec.fields
        if values and (f.get("groupCode") != group or len(values) >= 18):
            ts.add("CAS", group, *values)
            values = []
        group = f.get("groupCode")
        amt, qty = f.get("amount"), f.get("quantity")
        values += [
            f.get("reasonCode"),
            to_x12(amt, "r") if amt is not None else None,
            to_x12(qty, "r") if qty is not None else None,
        ]
    if values:
        ts.add("CAS", group, *values)
