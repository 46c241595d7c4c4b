"""Segments several 270/271 loops share: DTP, REF, AAA, III."""

from __future__ import annotations

from collections.abc import Iterable

from parsers.segment import Segment
from parsers.writer import TransactionBuilder
from transactions.eligibility.codes import DATE_NAMES
from transactions.eligibility.common import (
    Fields,
    period_from_x12,
    period_to_x12,
    put,
    set_if,
    text,
)


def read_dates(segs: Iterable[Segment], fields: Fields) -> None:
    """DTP segments into ``dates`` (lossless) and the derived ``dateInformation``."""
    dates: list[Fields] = []
    named: Fields = {}
    for seg in segs:
        item: Fields = {}
        set_if(item, "qualifier", text(seg, 1))
        item.update(period_from_x12(text(seg, 2), text(seg, 3)))
        dates.append(item)
        name = DATE_NAMES.get(seg.get(1), seg.get(1))
        if name and name not in named:
            value = item.get("date")
            if value is None and "startDate" in item:
                value = {"startDate": item["startDate"], "endDate": item["endDate"]}
            set_if(named, name, value if value is not None else item.get("value"))
    set_if(fields, "dates", dates)
    set_if(fields, "dateInformation", named)


def write_dates(ts: TransactionBuilder, fields: Fields) -> None:
    for item in fields.get("dates", []):
        fmt, value = period_to_x12(item)
        put(ts, "DTP", item.get("qualifier"), fmt, value)


def read_references(segs: Iterable[Segment], fields: Fields) -> None:
    """REF segments into ``additionalIdentifiers`` and the derived well-known numbers."""
    refs: list[Fields] = []
    for seg in segs:
        item: Fields = {}
        set_if(item, "qualifier", text(seg, 1))
        set_if(item, "identifier", text(seg, 2))
        set_if(item, "description", text(seg, 3))
        refs.append(item)
    set_if(fields, "additionalIdentifiers", refs)
    for qualifier, number, description in (
        ("6P", "groupNumber", "groupDescription"),
        ("18", "planNumber", "planDescription"),
        ("IG", "policyNumber", None),
        ("G1", "priorAuthorizationNumber", None),
        ("9F", "referralNumber", None),
    ):
        ref = next((r for r in refs if r.get("qualifier") == qualifier), None)
        if ref is not None:
            set_if(fields, number, ref.get("identifier"))
            if description:
                set_if(fields, description, ref.get("description"))


def write_references(ts: TransactionBuilder, fields: Fields) -> None:
    for item in fields.get("additionalIdentifiers", []):
        put(ts, "REF", item.get("qualifier"), item.get("identifier"), item.get("description"))


def read_rejections(segs: Iterable[Segment]) -> list[Fields]:
    """AAA segments: why a request (or part of it) could not be answered."""
    out: list[Fields] = []
    for seg in segs:
        item: Fields = {}
        set_if(item, "validRequestIndicator", text(seg, 1))
        set_if(item, "agencyQualifierCode", text(seg, 2))
        set_if(item, "rejectReasonCode", text(seg, 3))
        set_if(item, "followUpActionCode", text(seg, 4))
        out.append(item)
    return out


def write_rejections(ts: TransactionBuilder, items: Iterable[Fields]) -> None:
    for item in items:
        put(
            ts,
            "AAA",
            item.get("validRequestIndicator"),
            item.get("agencyQualifierCode"),
            item.get("rejectReasonCode"),
            item.get("followUpActionCode"),
        )


def read_additional_information(segs: Iterable[Segment]) -> list[Fields]:
    """III segments (270 2110 and 271 2115): place of service, nature of injury, free text."""
    out: list[Fields] = []
    for seg in segs:
        item: Fields = {}
        set_if(item, "qualifier", text(seg, 1))
        set_if(item, "industryCode", text(seg, 2))
        set_if(item, "codeCategory", text(seg, 3))
        set_if(item, "text", text(seg, 4))
        out.append(item)
    return out


def write_additional_information(ts: TransactionBuilder, items: Iterable[Fields]) -> None:
    for item in items:
        put(
            ts,
            "III",
            item.get("qualifier"),
            item.get("industryCode"),
            item.get("codeCategory"),
            item.get("text"),
        )
