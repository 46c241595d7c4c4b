"""STC (status information): one ``statuses`` entry per STC, at every level that has them.

The first status composite (STC01) is spread into the entry itself
(``categoryCode``, ``statusCode``, ``entityIdentifierCode``,
``codeListQualifierCode``); the second and third (STC10, STC11) are the
``additionalStatuses`` list, with ``{}`` holding the place of an empty STC10 when
only STC11 is sent. Amounts and dates are those of a claim-level STC in the 277
(STC04 to STC09); STC12 is the free-form ``message`` of the 277CA.
"""

from __future__ import annotations

from typing import Any

from parsers.segment import Segment
from parsers.writer import TransactionBuilder
from transactions.claim_status.common import Fields, Table, compact, read_table, write_table

COMPOSITE = ("categoryCode", "statusCode", "entityIdentifierCode", "codeListQualifierCode")

STC: Table = (
    (2, "statusEffectiveDate", "d"),
    (3, "actionCode", "s"),
    (4, "totalClaimChargeAmount", "r"),
    (5, "claimPaymentAmount", "r"),
    (6, "adjudicationDate", "d"),
    (7, "paymentMethodCode", "s"),
    (8, "checkIssueDate", "d"),
    (9, "checkNumber", "s"),
    (12, "message", "s"),
)


def read_composite(seg: Segment, pos: int) -> Fields:
    parts = seg.components(pos)
    return {name: part for name, part in zip(COMPOSITE, parts, strict=False) if part}


def write_composite(status: Fields) -> tuple[str, ...] | None:
    parts = tuple(str(status.get(name, "")) for name in COMPOSITE)
    return parts if any(parts) else None


def read_stc(seg: Segment) -> Fields:
    out = read_composite(seg, 1)
    out.update(read_table(seg, STC))
    more = [read_composite(seg, 10), read_composite(seg, 11)]
    while more and not more[-1]:
        more.pop()
    return compact({**out, "additionalStatuses": more})


def write_stc(ts: TransactionBuilder, status: Fields) -> None:
    values = write_table(status, STC)
    values[0] = write_composite(status)
    for i, more in enumerate(status.get("additionalStatuses", [])[:2]):
        values[9 + i] = write_composite(more)
    ts.add("STC", *values)


def read_statuses(segments: list[Segment]) -> list[Fields]:
    return [read_stc(seg) for seg in segments]


def write_statuses(ts: TransactionBuilder, fields: Fields) -> None:
    for status in fields.get("statuses", []):
        write_stc(ts, status)


def summary(statuses: list[Fields]) -> str | None:
    """``F1:65, F1:107``: every STC01 as category:status[:entity], for timelines."""
    parts = [
        ":".join(str(s[k]) for k in COMPOSITE[:3] if s.get(k))
        for s in statuses
        if s.get("categoryCode") or s.get("statusCode")
    ]
    return ", ".join(parts) or None


def first_value(statuses: list[Fields], name: str) -> Any:
    """``name`` of the first status that has it (the index value of a status record)."""
    return next((s[name] for s in statuses if s.get(name)), None)
