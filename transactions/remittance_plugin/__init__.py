"""The 835 (005010X221A1, health care claim payment/advice) <-> normalized records.

Entities, in the order they are read::

    payment              BPR, TRN, CUR, REF, DTM of the header        key "payment"
    party                1000A payer / 1000B payee                    "party:payer:1", "party:payee:1"
    header_number        2000: LX, TS3, TS2                           "header:1"
    claim_payment        2100: CLP, NM1, MIA, MOA, REF, DTM, ...      "claim:1"
    claim_adjustment     CAS, one per reason, of a claim or service   "claim:1/adjustment:1"
    service_payment      2110: SVC, DTM, REF, AMT, QTY, LQ            "claim:1/service:1"
    provider_adjustment  PLB                                          "provider_adjustment:1"

``write`` puts them back in the TR3's order from the records alone (parents by
``parent`` key, siblings in list order).
"""

from __future__ import annotations

from typing import ClassVar

from parsers.envelope import TransactionSet
from parsers.writer import TransactionBuilder
from transactions.records import Record
from transactions.remittance_plugin import header, loop_1000, loop_2000, loop_2100, plb
from transactions.remittance_plugin.common import children


class RemittancePlugin:
    """Health care claim payment/advice (835) records."""

    guides: ClassVar[tuple[str, ...]] = ("835",)

    def read(self, ts: TransactionSet) -> list[Record]:
        root = ts.root
        if root is None:
            return []
        payment = header.read_payment(root)
        records = [payment]
        for loop_id in loop_1000.ROLES:
            for loop in root.find(loop_id):
                party = loop_1000.read_party(loop)
                if party is not None:
                    records.append(party)
                    if loop_id == "1000B":
                        payment.index.update(party.index)
                break
        claims = 0
        for n, loop in enumerate(root.find("2000"), 1):
            found = loop_2000.read_header(loop, n, claims)
            claims += sum(1 for r in found if r.entity == loop_2100.ENTITY)
            records += found
        for n, seg in enumerate(root.segments("PLB"), 1):
            records.append(plb.read_plb(seg, n))
        return records

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        kids = children(records)
        payments = [r for r in records if r.entity == "payment"]
        if len(payments) != 1:
            raise ValueError(f"an 835 needs one payment record, got {len(payments)}")
        payment = payments[0]
        header.write_payment(payment, ts)
        mine = kids.get(payment.key, [])
        for role in ("payer", "payee"):
            for rec in mine:
                if rec.entity == "party" and rec.fields.get("role") == role:
                    loop_1000.write_party(rec, ts)
        for rec in mine:
            if rec.entity == loop_2000.ENTITY:
                loop_2000.write_header(rec, kids, ts)
        for rec in mine:
            if rec.entity == plb.ENTITY:
                plb.write_plb(rec, ts)


__all__ = ["RemittancePlugin"]
