"""270 2110C/2110D: one eligibility or benefit inquiry (EQ), as an ``inquiry`` record.

Fields: ``serviceTypeCodes`` (EQ01 repetitions), ``procedure*`` (EQ02),
``coverageLevelCode`` (EQ03), ``insuranceTypeCode`` (EQ04),
``diagnosisCodePointers`` (EQ05), ``spendDownAmount`` (AMT*R),
``spendDownTotalBilledAmount`` (AMT*PB), ``additionalInformation`` (III),
``additionalIdentifiers`` (REF: prior authorization G1, referral 9F), ``dates``
(DTP). Index: ``code`` (the first service type code), ``service_date``
(DTP*291).
"""

from __future__ import annotations

from typing import Any

from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.eligibility.common import (
    Fields,
    amount_value,
    decimal_text,
    pointers_from_x12,
    pointers_to_x12,
    procedure_from_x12,
    procedure_to_x12,
    put,
    put_extra,
    raw,
    set_if,
    text,
)
from transactions.eligibility.segments import (
    read_additional_information,
    read_dates,
    read_references,
    write_additional_information,
    write_dates,
    write_references,
)
from transactions.records import Record

_AMOUNTS = {"R": "spendDownAmount", "PB": "spendDownTotalBilledAmount"}


def read_inquiry(loop: Loop, key: str, parent: str) -> Record:
    fields: Fields = {}
    eq: Segment | None = None
    amounts: dict[str, Segment] = {}
    iii: list[Segment] = []
    refs: list[Segment] = []
    dtps: list[Segment] = []
    extra: list[list[Any]] = []
    for seg in loop.segments():
        tag = seg.elements[0]
        if tag == "EQ" and eq is None:
            eq = seg
        elif tag == "AMT" and seg.get(1) in _AMOUNTS and seg.get(1) not in amounts:
            amounts[seg.get(1)] = seg
        elif tag == "III":
            iii.append(seg)
        elif tag == "REF":
            refs.append(seg)
        elif tag == "DTP":
            dtps.append(seg)
        else:
            extra.append(raw(seg))
    if eq is not None:
        set_if(fields, "serviceTypeCodes", eq.repeats(1))
        procedure_from_x12(eq.components(2), fields)
        set_if(fields, "coverageLevelCode", text(eq, 3))
        set_if(fields, "insuranceTypeCode", text(eq, 4))
        set_if(fields, "diagnosisCodePointers", pointers_from_x12(eq.components(5)))
    for qualifier, seg in amounts.items():
        set_if(fields, _AMOUNTS[qualifier], decimal_text(text(seg, 2)))
    set_if(fields, "additionalInformation", read_additional_information(iii))
    read_references(refs, fields)
    read_dates(dtps, fields)
    set_if(fields, "extra", extra)
    index: dict[str, Any] = {}
    if fields.get("serviceTypeCodes"):
        index["code"] = fields["serviceTypeCodes"][0]
    plan = fields.get("dateInformation", {}).get("plan")
    when = plan.get("startDate") if isinstance(plan, dict) else plan
    if isinstance(when, str) and len(when) == 10 and when[4] == "-":
        index["service_date"] = when
    return Record("inquiry", key, parent, eq.ordinal if eq is not None else 0, fields, index)


def write_inquiry(ts: TransactionBuilder, record: Record) -> None:
    fields = record.fields
    put(
        ts,
        "EQ",
        list(fields.get("serviceTypeCodes", [])) or None,
        procedure_to_x12(fields),
        fields.get("coverageLevelCode"),
        fields.get("insuranceTypeCode"),
        pointers_to_x12(fields.get("diagnosisCodePointers", [])),
    )
    for qualifier, name in _AMOUNTS.items():
        if fields.get(name) not in (None, ""):
            put(ts, "AMT", qualifier, amount_value(fields[name]))
    write_additional_information(ts, fields.get("additionalInformation", []))
    write_references(ts, fields)
    write_dates(ts, fields)
    put_extra(ts, fields)
