"""BHT: the ``transaction`` record (one per set, key ``transaction``).

Fields: ``hierarchicalStructureCode`` (BHT01, 0022), ``purposeCode`` (BHT02:
13 request, 11 response, 01 cancellation, 06 confirmation),
``referenceIdentification`` (BHT03, the submitter's transaction ID, echoed in
the 271), ``creationDate`` (ISO), ``creationTime`` (``HH:MM[:SS]``),
``transactionTypeCode`` (BHT06: RT real time, RU batch).
"""

from __future__ import annotations

from parsers.segment import Segment
from parsers.writer import TransactionBuilder
from transactions.eligibility.common import (
    Fields,
    date_from_x12,
    date_to_x12,
    put,
    set_if,
    text,
    time_from_x12,
    time_to_x12,
)
from transactions.records import Record

KEY = "transaction"


def read_header(seg: Segment) -> Record:
    fields: Fields = {}
    set_if(fields, "hierarchicalStructureCode", text(seg, 1))
    set_if(fields, "purposeCode", text(seg, 2))
    set_if(fields, "referenceIdentification", text(seg, 3))
    set_if(fields, "creationDate", date_from_x12(text(seg, 4)))
    set_if(fields, "creationTime", time_from_x12(text(seg, 5)))
    set_if(fields, "transactionTypeCode", text(seg, 6))
    return Record("transaction", KEY, None, seg.ordinal, fields)


def write_header(ts: TransactionBuilder, record: Record) -> None:
    fields = record.fields
    put(
        ts,
        "BHT",
        fields.get("hierarchicalStructureCode"),
        fields.get("purposeCode"),
        fields.get("referenceIdentification"),
        date_to_x12(fields.get("creationDate")),
        time_to_x12(fields.get("creationTime")),
        fields.get("transactionTypeCode"),
    )
