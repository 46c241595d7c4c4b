"""271 2110C/2110D: one eligibility or benefit information (EB), as a ``benefit`` record.

Fields from EB: ``eligibilityOrBenefitInformationCode`` (EB01),
``coverageLevelCode``, ``serviceTypeCodes`` (EB03 repetitions),
``insuranceTypeCode``, ``planCoverageDescription``, ``timeQualifierCode``,
``benefitAmount``, ``benefitPercent``, ``quantityQualifierCode``, ``quantity``,
``authorizationOrCertificationIndicator``, ``inPlanNetworkIndicator``,
``procedure*`` (EB13), ``diagnosisCodePointers`` (EB14). Then
``serviceDeliveries`` (HSD), ``additionalIdentifiers`` (REF), ``dates`` (DTP),
``rejections`` (AAA), ``messages`` (MSG01 texts), ``additionalInformation``
(2115 III). Benefit related entities (2120) are child ``party`` records.
Index: ``code`` (EB01), ``amount`` (EB07 when present).
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
from transactions.eligibility.loop_2115 import read_2115, write_2115
from transactions.eligibility.loop_2120 import read_2120, write_2120
from transactions.eligibility.segments import (
    read_dates,
    read_references,
    read_rejections,
    write_dates,
    write_references,
    write_rejections,
)
from transactions.records import Record

#: EB elements kept as text, by position (EB03, EB07, EB08, EB10, EB13, EB14 are special)
_EB_TEXT = {
    1: "eligibilityOrBenefitInformationCode",
    2: "coverageLevelCode",
    4: "insuranceTypeCode",
    5: "planCoverageDescription",
    6: "timeQualifierCode",
    9: "quantityQualifierCode",
    11: "authorizationOrCertificationIndicator",
    12: "inPlanNetworkIndicator",
}
_EB_NUMBER = {7: "benefitAmount", 8: "benefitPercent", 10: "quantity"}

_HSD = (
    ("quantityQualifierCode", False),
    ("quantity", True),
    ("unitOrBasisForMeasurementCode", False),
    ("sampleSelectionModulus", True),
    ("timePeriodQualifier", False),
    ("numberOfPeriods", True),
    ("deliveryFrequencyCode", False),
    ("deliveryPatternTimeCode", False),
)

_LISTED = frozenset({"HSD", "REF", "DTP", "AAA", "MSG"})


def read_benefit(loop: Loop, key: str, parent: str) -> list[Record]:
    """The benefit record, then its related entities (children)."""
    fields: Fields = {}
    eb: Segment | None = None
    by_tag: dict[str, list[Segment]] = {}
    extra: list[list[Any]] = []
    for seg in loop.segments():
        tag = seg.elements[0]
        if tag == "EB" and eb is None:
            eb = seg
        elif tag in _LISTED:
            by_tag.setdefault(tag, []).append(seg)
        elif tag not in ("LS", "LE"):
            extra.append(raw(seg))
    if eb is not None:
        _read_eb(eb, fields)
    set_if(fields, "serviceDeliveries", [_read_hsd(s) for s in by_tag.get("HSD", [])])
    read_references(by_tag.get("REF", []), fields)
    read_dates(by_tag.get("DTP", []), fields)
    set_if(fields, "rejections", read_rejections(by_tag.get("AAA", [])))
    set_if(fields, "messages", [s.get(1) for s in by_tag.get("MSG", [])])
    set_if(fields, "extra", extra)
    detail_id = loop.id[-1]
    set_if(fields, "additionalInformation", read_2115(loop.loops(f"2115{detail_id}")))
    index: dict[str, Any] = {}
    if fields.get("eligibilityOrBenefitInformationCode"):
        index["code"] = fields["eligibilityOrBenefitInformationCode"]
    if _is_number(fields.get("benefitAmount")):
        index["amount"] = fields["benefitAmount"]
    record = Record("benefit", key, parent, eb.ordinal if eb is not None else 0, fields, index)
    return [record, *read_2120(loop.loops(f"2120{detail_id}"), key)]


def write_benefit(
    ts: TransactionBuilder, record: Record, children: dict[str | None, list[Record]]
) -> None:
    fields = record.fields
    _write_eb(ts, fields)
    for item in fields.get("serviceDeliveries", []):
        _write_hsd(ts, item)
    write_references(ts, fields)
    write_dates(ts, fields)
    write_rejections(ts, fields.get("rejections", []))
    for message in fields.get("messages", []):
        put(ts, "MSG", message)
    put_extra(ts, fields)
    write_2115(ts, fields.get("additionalInformation", []))
    write_2120(ts, [r for r in children.get(record.key, []) if r.entity == "party"])


def _is_number(value: Any) -> bool:
    return isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit()


# EB ----------------------------------------------------------------------------------


def _read_eb(seg: Segment, fields: Fields) -> None:
    for pos in range(1, 13):
        if pos in _EB_TEXT:
            set_if(fields, _EB_TEXT[pos], text(seg, pos))
        elif pos in _EB_NUMBER:
            set_if(fields, _EB_NUMBER[pos], decimal_text(text(seg, pos)))
        elif pos == 3:
            set_if(fields, "serviceTypeCodes", seg.repeats(3))
    procedure_from_x12(seg.components(13), fields)
    set_if(fields, "diagnosisCodePointers", pointers_from_x12(seg.components(14)))


def _write_eb(ts: TransactionBuilder, fields: Fields) -> None:
    values: list[Any] = []
    for pos in range(1, 13):
        if pos in _EB_TEXT:
            values.append(fields.get(_EB_TEXT[pos]))
        elif pos in _EB_NUMBER:
            values.append(amount_value(fields.get(_EB_NUMBER[pos])))
        else:
            values.append(list(fields.get("serviceTypeCodes", [])) or None)
    values.append(procedure_to_x12(fields))
    values.append(pointers_to_x12(fields.get("diagnosisCodePointers", [])))
    put(ts, "EB", *values)


# HSD ---------------------------------------------------------------------------------


def _read_hsd(seg: Segment) -> Fields:
    item: Fields = {}
    for pos, (name, number) in enumerate(_HSD, start=1):
        value = text(seg, pos)
        set_if(item, name, decimal_text(value) if number else value)
    return item


def _write_hsd(ts: TransactionBuilder, item: Fields) -> None:
    put(
        ts,
        "HSD",
        *(amount_value(item.get(name)) if number else item.get(name) for name, number in _HSD),
    )
