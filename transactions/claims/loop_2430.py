"""2430 line adjudication information: ``line_adjudication`` records (children of a service line).

Fields: SVD ``otherPayerPrimaryIdentifier``, ``serviceLinePaidAmount``,
``procedureQualifier``, ``procedureCode``, ``procedureModifiers``,
``description``, ``revenueCode`` (837I), ``paidServiceUnitCount``,
``bundledLineNumber``; ``adjustments`` [{groupCode, reasonCode, amount,
quantity}] (CAS); ``adjudicationOrPaymentDate`` (DTP*573);
``remainingPatientLiability`` (AMT*EAF). Index: amount (paid), code (procedure).
"""

from __future__ import annotations

from parsers.tree import Loop
from transactions.claims.codecs import Adjustments, Dates, P, Positional, Qualified
from transactions.claims.layout import Writing
from transactions.claims.raw import (
    Codec,
    Ctx,
    Fields,
    Node,
    Reading,
    first_ordinal,
    keep_loop,
    put,
    read_loop,
    write_loop,
)
from transactions.records import Record

ENTITY = "line_adjudication"

CODECS: tuple[Codec, ...] = (
    Positional(
        "SVD",
        [
            P("otherPayerPrimaryIdentifier", 1),
            P("serviceLinePaidAmount", 2, kind="money"),
            P("procedureQualifier", 3, 1),
            P("procedureCode", 3, 2),
            P("procedureModifiers", 3, 3, kind="list", last=6),
            P("description", 3, 7),
            P("revenueCode", 4),
            P("paidServiceUnitCount", 5, kind="money"),
            P("bundledLineNumber", 6, kind="int"),
        ],
    ),
    Adjustments(),
    Dates({"573": "adjudicationOrPaymentDate"}),
    Qualified("AMT", {"EAF": "remainingPatientLiability"}, money=True),
)


def read_adjudication(loop: Loop, reading: Reading, line_key: str) -> Record:
    key = f"{line_key}/adjudication:{reading.next(f'{line_key}/adjudication')}"
    fields: Fields = {}
    read_loop(loop, CODECS, fields, reading.ctx())
    for child in loop.loops():
        keep_loop(fields, loop.id, child)
    index: Fields = {}
    put(index, "amount", fields.get("serviceLinePaidAmount"))
    put(index, "code", fields.get("procedureCode"))
    return reading.add(Record(ENTITY, key, line_key, first_ordinal(loop), fields, index))


def adjudication_node(writing: Writing, record: Record) -> Node:
    return Node(
        "2430", write_loop(writing.place(record).fields, CODECS, Ctx(writing.guide), "2430")
    )
