"""BHT (beginning of hierarchical transaction): one ``transaction`` record, key ``transaction``.

Fields: ``hierarchicalStructureCode`` (BHT01: 0010, or 0085 in a 277CA),
``purposeCode`` (BHT02: 13 request, 08 status), ``referenceIdentification``
(BHT03, the originator's transaction identifier), ``creationDate`` (BHT04),
``creationTime`` (BHT05, ``HH:MM[:SS]``) and ``transactionTypeCode`` (BHT06: DG
response, TH receipt acknowledgment).
"""

from __future__ import annotations

from parsers.segment import Segment
from parsers.writer import TransactionBuilder
from transactions.claim_status.common import (
    Fields,
    Table,
    raw,
    read_table,
    time_from_x12,
    time_to_x12,
    write_raw,
    write_table,
)
from transactions.records import Record

ENTITY = "transaction"
KEY = "transaction"

BHT: Table = (
    (1, "hierarchicalStructureCode", "s"),
    (2, "purposeCode", "s"),
    (3, "referenceIdentification", "s"),
    (4, "creationDate", "d"),
    (6, "transactionTypeCode", "s"),
)
#: BHT01 when a record does not say
STRUCTURE = {"276": "0010", "277": "0010", "277CA": "0085"}


def read_header(bht: Segment | None, others: list[Segment]) -> Record:
    """The BHT, and any other segment between ST and the first HL (kept raw)."""
    fields: Fields = {}
    if bht is not None:
        fields.update(read_table(bht, BHT))
        if bht.get(5):
            fields["creationTime"] = time_from_x12(bht.get(5))
    if others:
        fields["extra"] = [raw(seg) for seg in others]
    return Record(ENTITY, KEY, None, bht.ordinal if bht is not None else 0, fields)


def write_header(ts: TransactionBuilder, guide: str, record: Record | None) -> None:
    f = record.fields if record is not None else {}
    values = write_table(f, BHT, 6)
    values[0] = values[0] or STRUCTURE[guide]
    if f.get("creationTime"):
        values[4] = time_to_x12(str(f["creationTime"]))
    ts.add("BHT", *values)
    write_raw(ts, f.get("extra", []))
