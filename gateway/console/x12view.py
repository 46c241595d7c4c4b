"""The raw X12 of one interchange, segment by segment, with findings placed beside segments.

Findings are stored with the byte offset (and ordinal) of their segment in the whole
upload; the interchange is a byte range of that upload, so a finding belongs to the
segment that starts at ``offset - start_offset``. Findings without a place (or whose
place is outside the range) are shown above the segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parsers import Segment, parse
from parsers.tokenizer import Tokenizer
from parsers.tree import Loop

#: a page shows at most this many segments (and trees), so a huge batch does not stall it
MAX_SEGMENTS = 3000


@dataclass(slots=True)
class SegmentRow:
    ordinal: int  # position in this interchange, from 1 (ISA = 1)
    offset: int  # byte offset in this interchange
    tag: str
    text: str
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def severity(self) -> str:
        """ "error", "warning" or "" for the row's CSS class."""
        if any(f.get("severity", "error") == "error" for f in self.findings):
            return "error"
        return "warning" if self.findings else ""


@dataclass(slots=True)
class RawView:
    rows: list[SegmentRow]
    unplaced: list[dict[str, Any]]
    truncated: bool
    total: int


def segments(raw: bytes) -> list[Segment]:
    """Every segment of ``raw`` with offsets relative to it (the tokenizer never raises)."""
    tok = Tokenizer()
    out = [t for t in tok.feed(raw) if isinstance(t, Segment)]
    out += [t for t in tok.close() if isinstance(t, Segment)]
    return out


def raw_view(
    raw: bytes,
    start_offset: int,
    findings: list[dict[str, Any]],
    ordinal_delta: int | None = None,
    limit: int = MAX_SEGMENTS,
) -> RawView:
    """Rows of ``raw`` (one interchange, starting at ``start_offset`` of its upload) with
    ``findings`` attached. ``ordinal_delta`` maps upload ordinals to local ones for findings
    that carry an ordinal but no offset."""
    segs = segments(raw)
    text = raw.decode("latin-1")
    rows: list[SegmentRow] = []
    by_offset: dict[int, SegmentRow] = {}
    by_ordinal: dict[int, SegmentRow] = {}
    for seg in segs:
        shown = text[seg.offset : seg.offset + seg.length] if seg.length else seg.render()
        row = SegmentRow(seg.ordinal, seg.offset, seg.tag, shown.strip("\r\n"))
        rows.append(row)
        by_offset[seg.offset] = row
        by_ordinal[seg.ordinal] = row
    unplaced: list[dict[str, Any]] = []
    for finding in findings:
        placed: SegmentRow | None = None
        offset = finding.get("offset")
        if isinstance(offset, int):
            placed = by_offset.get(offset - start_offset)
        ordinal = finding.get("ordinal")
        if placed is None and isinstance(ordinal, int) and ordinal_delta is not None:
            placed = by_ordinal.get(ordinal - ordinal_delta)
        if placed is None:
            unplaced.append(finding)
        else:
            placed.findings.append(finding)
    total = len(rows)
    if total > limit:  # keep every row with findings, and the first ``limit`` of the rest
        rows = [r for i, r in enumerate(rows) if i < limit or r.findings]
    return RawView(rows, unplaced, total > limit, total)


def ordinal_delta(raw: bytes, local_offset: int, upload_ordinal: int) -> int | None:
    """Upload ordinal minus local ordinal, from one segment known in both numberings."""
    for seg in segments(raw):
        if seg.offset == local_offset:
            return upload_ordinal - seg.ordinal
    return None


@dataclass(slots=True)
class TreeNode:
    """A loop (``loop`` set, ``children``) or a segment (``segment`` set) of the parsed tree."""

    loop: str | None = None
    segment: str | None = None
    ordinal: int | None = None
    elements: str = ""
    children: list[TreeNode] = field(default_factory=list)


@dataclass(slots=True)
class ParsedSet:
    kind: str
    control: str
    version: str
    root: TreeNode | None


def _node(loop: Loop) -> TreeNode:
    node = TreeNode(loop=loop.id)
    for child in loop.children:
        if isinstance(child, Loop):
            node.children.append(_node(child))
        else:
            refs = " ".join(
                f"{child.tag}{i:02d}={value}"
                for i, value in enumerate(child.elements[1:], 1)
                if value
            )
            node.children.append(TreeNode(segment=child.tag, ordinal=child.ordinal, elements=refs))
    return node


def loop_trees(raw: bytes, limit: int = MAX_SEGMENTS) -> list[ParsedSet] | None:
    """The parsed loop tree of every transaction set (as ``x12gw parse`` prints it), or None
    when the interchange is too large to show one."""
    doc = parse(raw)
    if sum(ts.segment_count for ts in doc.transactions) > limit:
        return None
    out = []
    for ts in doc.transactions:
        kind = ts.guide.name if ts.guide else ts.st01
        out.append(
            ParsedSet(kind, ts.control, ts.version, _node(ts.root) if ts.root is not None else None)
        )
    return out
