"""The parsed tree of a transaction set: loops by TR3 loop ID, segments, typed values.

Navigation uses references a reader of the TR3 knows::

    ts.get("2300/CLM/02")           # first CLM02 under any 2300 loop -> "125.00"
    ts.value("2300/CLM/02")         # typed: Decimal("125.00")
    ts.values("2400/SV1/01-2")      # every procedure code of every service line
    ts.get("2010BA/NM1[IL]/09")     # a segment picked by its qualifier
    for claim in ts.root.find("2300"): claim.get("CLM/01")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from parsers.segment import Segment

if TYPE_CHECKING:
    from parsers.maps.spec import ElementSpec, LoopSpec

Value = str | int | Decimal | dt.date | dt.time | tuple[Any, ...] | None


class Loop:
    """One instance of a loop; ``children`` keeps segments and sub-loops in input order."""

    __slots__ = ("children", "id", "parent", "spec")

    def __init__(self, spec: LoopSpec | None, loop_id: str, parent: Loop | None = None) -> None:
        self.spec = spec
        self.id = loop_id
        self.parent = parent
        self.children: list[Segment | Loop] = []

    def __repr__(self) -> str:
        return f"Loop({self.id!r}, {len(self.children)} children)"

    # walking ------------------------------------------------------------

    def segments(self, tag: str | None = None) -> Iterator[Segment]:
        """Direct child segments, optionally only those with ``tag``."""
        for c in self.children:
            if isinstance(c, Segment) and (tag is None or c.elements[0] == tag):
                yield c

    def loops(self, loop_id: str | None = None) -> Iterator[Loop]:
        """Direct child loops, optionally only those with ``loop_id``."""
        for c in self.children:
            if isinstance(c, Loop) and (loop_id is None or c.id == loop_id):
                yield c

    def find(self, loop_id: str) -> Iterator[Loop]:
        """Descendant loops with ``loop_id``, in input order (not below a match)."""
        for c in self.children:
            if isinstance(c, Loop):
                if c.id == loop_id:
                    yield c
                else:
                    yield from c.find(loop_id)

    def walk(self) -> Iterator[Segment]:
        """Every segment of this loop and its descendants, in input order."""
        for c in self.children:
            if isinstance(c, Segment):
                yield c
            else:
                yield from c.walk()

    def first(self, tag: str, qualifier: str | None = None) -> Segment | None:
        for seg in self.segments(tag):
            if qualifier is None or _qualifier_of(seg) == qualifier:
                return seg
        return None

    # paths ----------------------------------------------------------------

    def select(self, path: str) -> Iterator[tuple[Segment, int, int]]:
        """Resolve ``[LOOP/...]SEG[QUAL]/EE[-CC]`` to (segment, element, component)."""
        parts = path.strip("/").split("/")
        if len(parts) < 2:
            raise ValueError(f"path {path!r} needs at least SEGMENT/ELEMENT")
        *loop_ids, seg_part, ele_part = parts
        tag, _, qual = seg_part.partition("[")
        qual = qual.rstrip("]")
        ele, _, comp = ele_part.partition("-")
        epos, cpos = int(ele), int(comp) if comp else 0
        scopes: list[Loop] = [self]
        for loop_id in loop_ids:
            scopes = [found for s in scopes for found in s.find(loop_id)]
        for scope in scopes:
            segs = (
                scope.segments(tag)
                if loop_ids
                else (s for s in scope.walk() if s.elements[0] == tag)
            )
            for seg in segs:
                if qual and _qualifier_of(seg) != qual:
                    continue
                yield seg, epos, cpos

    def get(self, path: str, default: str | None = None) -> str | None:
        """The first text value at ``path`` (empty values count as absent)."""
        for seg, epos, cpos in self.select(path):
            text = seg.component(epos, cpos) if cpos else seg.get(epos)
            if text:
                return text
        return default

    def values(self, path: str) -> list[str]:
        out = []
        for seg, epos, cpos in self.select(path):
            text = seg.component(epos, cpos) if cpos else seg.get(epos)
            if text:
                out.append(text)
        return out

    def value(self, path: str) -> Value:
        """The first value at ``path``, typed by the TR3's data type."""
        for seg, epos, cpos in self.select(path):
            text = seg.component(epos, cpos) if cpos else seg.get(epos)
            if text:
                return typed(seg, epos, cpos)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "loop": self.id,
            "children": [
                c.to_dict() if isinstance(c, Loop) else segment_to_dict(c) for c in self.children
            ],
        }


def _qualifier_of(seg: Segment) -> str:
    spec = seg.spec
    if spec is not None and spec.qualifier is not None:
        epos, cpos, _ = spec.qualifier
        return seg.component(epos, cpos) if cpos else seg.get(epos)
    if seg.elements[0] == "HL":
        return seg.get(3)
    return seg.component(1, 1)


def element_spec(seg: Segment, epos: int, cpos: int = 0) -> ElementSpec | None:
    spec = seg.spec
    if spec is None or not 0 < epos <= len(spec.elements):
        return None
    e = spec.elements[epos - 1]
    if cpos:
        if not e.components or cpos > len(e.components):
            return None
        return e.components[cpos - 1]
    return e


def convert(text: str, data_type: str) -> Value:
    """Text of an element to a Python value for its X12 data type (text when it does not parse)."""
    try:
        if data_type == "R":
            return Decimal(text)
        if data_type.startswith("N") and len(data_type) == 2 and data_type[1].isdigit():
            places = int(data_type[1])
            return int(text) if places == 0 else Decimal(int(text)).scaleb(-places)
        if data_type == "DT":
            if len(text) == 8:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if len(text) == 6:
                return dt.date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
        if data_type == "TM" and len(text) >= 4:
            sec = int(text[4:6]) if len(text) >= 6 else 0
            return dt.time(int(text[:2]), int(text[2:4]), sec)
    except (ValueError, InvalidOperation):
        return text
    return text


def typed(seg: Segment, epos: int, cpos: int = 0) -> Value:
    spec = element_spec(seg, epos, cpos)
    if spec is not None and spec.components and not cpos:
        parts = seg.components(epos)
        return tuple(
            convert(p, c.data_type) if p else None
            for p, c in zip(parts, spec.components, strict=False)
        )
    text = seg.component(epos, cpos) if cpos else seg.get(epos)
    if not text:
        return None
    return convert(text, spec.data_type) if spec is not None else text


def segment_to_dict(seg: Segment) -> dict[str, Any]:
    spec = seg.spec
    elements: dict[str, Any] = {}
    for i in range(1, len(seg.elements)):
        text = seg.elements[i]
        if not text:
            continue
        ref = f"{seg.elements[0]}{i:02d}"
        es = spec.elements[i - 1] if spec is not None and i <= len(spec.elements) else None
        if es is not None and es.components:
            elements[ref] = seg.components(i)
        else:
            elements[ref] = text
    return {
        "segment": seg.elements[0],
        "ordinal": seg.ordinal,
        "offset": seg.offset,
        "loop": spec.loop_id if spec is not None else None,
        "elements": elements,
    }
