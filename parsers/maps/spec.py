"""Compiled TR3 structure: loops, segments and elements as plain objects.

:mod:`parsers.maps.compiler` builds these once per implementation guide from
pyx12-schema XML maps; the matcher then works from dictionaries and tuples,
never from XML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

UNBOUNDED = 1 << 30


@dataclass(slots=True, eq=False)
class ElementSpec:
    """A simple element, or a composite when ``components`` is set."""

    ref: str  # e.g. "CLM01" or "CLM05-01"
    pos: int
    data_ele: str
    name: str
    usage: str  # R, S or N
    data_type: str = "AN"  # AN, ID, N0..N9, R, DT, TM, B
    min_len: int = 1
    max_len: int = 256
    codes: frozenset[str] | None = None
    external: str | None = None
    regex: re.Pattern[str] | None = None
    components: tuple[ElementSpec, ...] | None = None
    max_repeat: int = 1

    @property
    def is_composite(self) -> bool:
        return self.components is not None


@dataclass(frozen=True, slots=True)
class SyntaxRule:
    """An X12 syntax note: P (paired), R (required), E (exclusion), C (conditional), L (list)."""

    kind: str
    positions: tuple[int, ...]

    def __str__(self) -> str:
        return self.kind + "".join(f"{p:02d}" for p in self.positions)


@dataclass(slots=True, eq=False)
class SegmentSpec:
    id: str
    name: str
    usage: str
    pos: int
    max_use: int
    elements: tuple[ElementSpec, ...]
    syntax: tuple[SyntaxRule, ...] = ()
    #: (element position, component position or 0, codes) that tells this
    #: segment apart from others with the same ID in the same loop.
    qualifier: tuple[int, int, frozenset[str]] | None = None
    loop_id: str = ""
    index: int = 0  # position among the parent loop's children

    def matches(self, elements: list[str], component_sep: str) -> bool:
        q = self.qualifier
        if q is None:
            return True
        epos, cpos, codes = q
        if epos >= len(elements):
            return False
        value = elements[epos]
        if cpos:
            value = value.split(component_sep, cpos)[cpos - 1] if value else ""
        return value in codes or value.upper() in codes


@dataclass(slots=True, eq=False)
class LoopSpec:
    id: str
    name: str
    usage: str
    pos: int
    max_repeat: int
    children: list[SegmentSpec | LoopSpec] = field(default_factory=list)
    index: int = 0
    #: segment ID -> [(child index, child)] for every child a segment with that ID may start
    lookup: dict[str, list[tuple[int, SegmentSpec | LoopSpec]]] = field(default_factory=dict)
    #: child indexes that are required (usage R)
    required: tuple[int, ...] = ()

    @property
    def trigger(self) -> SegmentSpec:
        first = self.children[0]
        return first if isinstance(first, SegmentSpec) else first.trigger

    def walk(self) -> list[SegmentSpec | LoopSpec]:
        out: list[SegmentSpec | LoopSpec] = []
        for child in self.children:
            out.append(child)
            if isinstance(child, LoopSpec):
                out.extend(child.walk())
        return out

    def find_loop(self, loop_id: str) -> LoopSpec | None:
        for node in self.walk():
            if isinstance(node, LoopSpec) and node.id == loop_id:
                return node
        return None


@dataclass(slots=True, eq=False)
class TransactionMap:
    """The compiled map of one transaction set under one implementation guide."""

    key: str  # e.g. "837.5010.X222.A1"
    st01: str
    name: str
    root: LoopSpec  # the ST_LOOP; ST is its first child, SE its last
    st: SegmentSpec
    se: SegmentSpec
