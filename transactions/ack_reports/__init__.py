"""Received implementation acknowledgments (999, 005010X231A1) and functional
acknowledgments (997, 005010X230) as records, and back.

    AK1 ─ group: the acknowledged functional group (GS01, GS06, GS08) and AK9 verdict
     └─ AK2 ─ set: the acknowledged transaction set (ST01, ST02, ST03) and IK5/AK5 verdict
          └─ IK3/AK3 ─ segment_error (with CTX context)
               └─ IK4/AK4 ─ element_error (with CTX context)

The acknowledged group's and set's control numbers are indexed (``trace_number``,
the entity tells them apart) so an acknowledgment links to what it acknowledges;
verdicts and error codes are indexed as ``code``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from parsers.envelope import TransactionSet
from parsers.segment import Segment
from parsers.writer import Repeat, TransactionBuilder
from transactions.records import Record

#: segment IDs of the two acknowledgment families: (set error, element error, set verdict)
TAGS = {"999": ("IK3", "IK4", "IK5"), "997": ("AK3", "AK4", "AK5")}


def _parts(seg: Segment, pos: int) -> list[str]:
    return seg.components(pos)


def _context(seg: Segment) -> list[Any]:
    """A CTX segment's elements: repetitions of CTX01 and composites as lists."""
    out: list[Any] = []
    for pos in range(1, len(seg.elements)):
        reps = seg.repeats(pos)
        out.append([r.split(seg.delims.component) for r in reps])
    return out


def _write_context(ts: TransactionBuilder, ctx: list[Any]) -> None:
    values = [Repeat(tuple(tuple(c) for c in reps)) if reps else None for reps in ctx]
    ts.add("CTX", *values)


class AckReportPlugin:
    guides: ClassVar[tuple[str, ...]] = ("999", "997")

    def read(self, ts: TransactionSet) -> list[Record]:
        seg_tag, ele_tag, set_tag = TAGS["997" if ts.st01 == "997" else "999"]
        out: list[Record] = []
        group: Record | None = None
        current_set: Record | None = None
        current_seg: Record | None = None
        current_ele: Record | None = None
        for seg in ts.flat[1:-1] if ts.flat else []:
            tag = seg.elements[0]
            if tag == "AK1":
                group = Record(
                    "ack_group",
                    "group",
                    None,
                    seg.ordinal,
                    {
                        "functionalIdentifierCode": seg.get(1),
                        "groupControlNumber": seg.get(2),
                        "versionCode": seg.get(3) or None,
                    },
                    {"trace_number": seg.get(2)},
                )
                out.append(group)
            elif tag == "AK2":
                n = sum(1 for r in out if r.entity == "ack_set") + 1
                current_set = Record(
                    "ack_set",
                    f"set:{n}",
                    "group",
                    seg.ordinal,
                    {
                        "transactionSetIdentifierCode": seg.get(1),
                        "controlNumber": seg.get(2),
                        "implementationConventionReference": seg.get(3) or None,
                    },
                    {"trace_number": seg.get(2)},
                )
                current_seg = current_ele = None
                out.append(current_set)
            elif tag == seg_tag and current_set is not None:
                n = (
                    sum(
                        1
                        for r in out
                        if r.parent == current_set.key and r.entity == "ack_segment_error"
                    )
                    + 1
                )
                current_seg = Record(
                    "ack_segment_error",
                    f"{current_set.key}/segment:{n}",
                    current_set.key,
                    seg.ordinal,
                    {
                        "segmentIdCode": seg.get(1),
                        "segmentPosition": seg.get(2),
                        "loopIdentifierCode": seg.get(3) or None,
                        "syntaxErrorCode": seg.get(4) or None,
                        "contexts": [],
                    },
                    {"code": seg.get(4) or None} if seg.get(4) else {},
                )
                current_ele = None
                out.append(current_seg)
            elif tag == ele_tag and current_seg is not None:
                n = sum(1 for r in out if r.parent == current_seg.key) + 1
                position = _parts(seg, 1)
                current_ele = Record(
                    "ack_element_error",
                    f"{current_seg.key}/element:{n}",
                    current_seg.key,
                    seg.ordinal,
                    {
                        "elementPosition": position,
                        "dataElementReference": seg.get(2) or None,
                        "syntaxErrorCode": seg.get(3),
                        "badValue": seg.get(4) or None,
                        "contexts": [],
                    },
                    {"code": seg.get(3)},
                )
                out.append(current_ele)
            elif tag == "CTX":
                holder = current_ele or current_seg
                if holder is not None:
                    holder.fields["contexts"].append(_context(seg))
            elif tag == set_tag and current_set is not None:
                current_set.fields["acknowledgmentCode"] = seg.get(1)
                current_set.fields["errorCodes"] = [
                    seg.get(i) for i in range(2, len(seg.elements)) if seg.get(i)
                ]
                current_set.index["code"] = seg.get(1)
                current_seg = current_ele = None
            elif tag == "AK9" and group is not None:
                group.fields.update(
                    {
                        "acknowledgmentCode": seg.get(1),
                        "includedCount": seg.get(2),
                        "receivedCount": seg.get(3),
                        "acceptedCount": seg.get(4),
                        "errorCodes": [
                            seg.get(i) for i in range(5, len(seg.elements)) if seg.get(i)
                        ],
                    }
                )
                group.index["code"] = seg.get(1)
        return out

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        seg_tag, ele_tag, set_tag = TAGS["997" if ts.st01 == "997" else "999"]
        group = next(r for r in records if r.entity == "ack_group")
        g = group.fields
        ts.add("AK1", g["functionalIdentifierCode"], g["groupControlNumber"], g.get("versionCode"))
        children: dict[str, list[Record]] = {}
        for r in records:
            if r.parent is not None:
                children.setdefault(r.parent, []).append(r)
        for st in children.get(group.key, []):
            f = st.fields
            ts.add(
                "AK2",
                f["transactionSetIdentifierCode"],
                f["controlNumber"],
                f.get("implementationConventionReference"),
            )
            for err in children.get(st.key, []):
                e = err.fields
                ts.add(
                    seg_tag,
                    e["segmentIdCode"],
                    e["segmentPosition"],
                    e.get("loopIdentifierCode"),
                    e.get("syntaxErrorCode"),
                )
                for ctx in e.get("contexts", []):
                    _write_context(ts, ctx)
                for ele in children.get(err.key, []):
                    x = ele.fields
                    ts.add(
                        ele_tag,
                        tuple(x["elementPosition"]),
                        x.get("dataElementReference"),
                        x["syntaxErrorCode"],
                        x.get("badValue"),
                    )
                    for ctx in x.get("contexts", []):
                        _write_context(ts, ctx)
            ts.add(set_tag, f.get("acknowledgmentCode"), *f.get("errorCodes", []))
        ts.add(
            "AK9",
            g.get("acknowledgmentCode"),
            g.get("includedCount"),
            g.get("receivedCount"),
            g.get("acceptedCount"),
            *g.get("errorCodes", []),
        )
