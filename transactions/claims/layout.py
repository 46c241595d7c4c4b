"""Where segments and loops go when written: the guide's map, read once per guide.

Records carry no segment order. Writing builds :class:`Node` trees and emits
each loop's items in the order of the TR3 (the compiled map of the guide), so
modelled and raw segments interleave exactly as the guide requires; items the
map places alike keep the order of the records.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from parsers.guides import BY_NAME, load_map
from parsers.maps.spec import LoopSpec, SegmentSpec
from parsers.writer import TransactionBuilder
from transactions.claims.raw import Node, Raw
from transactions.records import Record

LATE = 1 << 20  # anything the map does not place goes last


class Layout:
    def __init__(self, guide: str) -> None:
        tmap = load_map(BY_NAME[guide])
        if tmap is None:
            raise ValueError(f"no map for guide {guide}")
        self.root = tmap.root
        self._loops: dict[str, LoopSpec | None] = {}

    def spec(self, loop_id: str) -> LoopSpec | None:
        if loop_id == self.root.id:
            return self.root
        if loop_id not in self._loops:
            self._loops[loop_id] = self.root.find_loop(loop_id)
        return self._loops[loop_id]

    def party_loop(self, parent: str, code: str) -> str:
        """The child loop of ``parent`` whose NM1 takes entity code ``code``."""
        spec = self.spec(parent)
        for child in spec.children if spec is not None else []:
            if isinstance(child, LoopSpec) and child.trigger.id == "NM1":
                q = child.trigger.qualifier
                if q is not None and code in q[2]:
                    return child.id
        raise ValueError(f"loop {parent} has no name loop for entity code {code!r}")

    def position(self, spec: LoopSpec | None, item: Any) -> int:
        if spec is None:
            return LATE
        if isinstance(item, Node):
            for i, child in enumerate(spec.children):
                if isinstance(child, LoopSpec) and child.id == item.loop:
                    return i
            return LATE
        return _segment_position(spec, item)


def _texts(raw: Raw) -> list[str]:
    return [
        raw[0],
        *(":".join(str(p) for p in e) if isinstance(e, list) else str(e or "") for e in raw[1:]),
    ]


def _segment_position(spec: LoopSpec, raw: Raw) -> int:
    texts = _texts(raw)
    fallback = LATE
    for i, child in enumerate(spec.children):
        if isinstance(child, SegmentSpec) and child.id == raw[0]:
            if child.matches(texts, ":"):
                return i
            fallback = min(fallback, i)
    return fallback


@cache
def layout(guide: str) -> Layout:
    return Layout(guide)


def emit(node: Node, lay: Layout, ts: TransactionBuilder, parent_hl: str | None = None) -> None:
    """Add ``node``'s segments to ``ts`` in TR3 order, numbering HL segments."""
    spec = lay.spec(node.loop)
    items = sorted(node.items, key=lambda it: lay.position(spec, it))
    hl_id = parent_hl
    if node.hl is not None:
        below = any(isinstance(c, Node) and c.hl is not None for c in node.items)
        hl_id = ts.hl(node.hl, parent_hl, below)
    for item in items:
        if isinstance(item, Node):
            emit(item, lay, ts, hl_id)
        else:
            ts.add(item[0], *(tuple(e) if isinstance(e, list) else e for e in item[1:]))


class Writing:
    """State of one write: the guide, its layout and the records by parent key."""

    def __init__(self, guide: str, records: list[Record]) -> None:
        self.guide = guide
        self.lay = layout(guide)
        self.kids: dict[str | None, list[Record]] = {}
        self.placed: set[int] = set()
        for record in records:
            self.kids.setdefault(record.parent, []).append(record)

    def place(self, record: Record) -> Record:
        """Note that ``record`` is written (see :meth:`unplaced`)."""
        self.placed.add(id(record))
        return record

    def unplaced(self, records: list[Record]) -> list[str]:
        return [r.key for r in records if id(r) not in self.placed]

    def children(self, key: str | None, entity: str | None = None) -> list[Record]:
        return [r for r in self.kids.get(key, []) if entity is None or r.entity == entity]
