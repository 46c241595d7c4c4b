"""One X12 segment as read from (or written to) a stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsers.delimiters import DEFAULT, Delimiters

if TYPE_CHECKING:
    from parsers.maps.spec import SegmentSpec


class Segment:
    """A segment: ``elements[0]`` is the tag, ``elements[n]`` the n-th data element.

    Element text is kept as read, composites and repetitions unsplit, with the
    interchange's :class:`Delimiters` alongside so they can be split on demand
    and re-encoded for other separators. ``ordinal`` counts segments from 1 in
    the whole input; ``offset`` is the byte offset of the segment's first byte.
    """

    __slots__ = ("delims", "elements", "length", "offset", "ordinal", "spec")

    def __init__(
        self,
        elements: list[str],
        delims: Delimiters = DEFAULT,
        ordinal: int = 0,
        offset: int = -1,
        length: int = 0,
    ) -> None:
        self.elements = elements
        self.delims = delims
        self.ordinal = ordinal
        self.offset = offset
        self.length = length
        self.spec: SegmentSpec | None = None

    @property
    def tag(self) -> str:
        return self.elements[0]

    def __len__(self) -> int:
        return len(self.elements) - 1

    def get(self, pos: int, default: str = "") -> str:
        """Element ``pos`` (1-based) as text, ``default`` when absent."""
        els = self.elements
        return els[pos] if 0 < pos < len(els) else default

    def components(self, pos: int) -> list[str]:
        """Element ``pos`` split into its components."""
        value = self.get(pos)
        return value.split(self.delims.component) if value else []

    def component(self, pos: int, sub: int, default: str = "") -> str:
        parts = self.components(pos)
        return parts[sub - 1] if 0 < sub <= len(parts) else default

    def repeats(self, pos: int) -> list[str]:
        """Element ``pos`` split into its repetitions."""
        value = self.get(pos)
        if not value:
            return []
        rep = self.delims.repetition
        return value.split(rep) if rep else [value]

    def __repr__(self) -> str:
        return f"Segment({self.tag!r}, #{self.ordinal})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        if self.delims == other.delims:
            return self.elements == other.elements
        table = other.delims.translation_to(self.delims)
        theirs = [e.translate(table) for e in other.elements] if table else other.elements
        return self.elements == theirs

    __hash__ = None  # type: ignore[assignment]

    def render(self, delims: Delimiters | None = None) -> str:
        """The segment's text without terminator, written with ``delims``."""
        target = delims or self.delims
        els = self.elements
        if target != self.delims:
            table = self.delims.translation_to(target)
            if table:
                els = [e.translate(table) for e in els]
        return target.element.join(els)
