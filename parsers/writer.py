"""The writer: segments, trees and documents back to X12 bytes, and a builder for new ones.

Writing is the inverse of :mod:`parsers.tokenizer`: with the separators a file
was read with, the same bytes come out (line breaks aside, which are a choice
of :attr:`Delimiters.line_break`). With other separators, composites and
repetitions are re-encoded character for character, which is exact because
X12 has no escape character.

The builder fills in what must never be typed by hand: SE01/GE01/IEA01
counts, ST02=SE02, GS06=GE02, ISA13=IEA02, HL numbering and parents, and the
fixed widths of the ISA fields::

    ic = InterchangeBuilder(("ZZ", "SUBMITTER"), ("ZZ", "PAYER"), control=17)
    group = ic.group("HC", "SUBMITTER", "PAYER", version="005010X222A1")
    ts = group.transaction("837")
    ts.add("BHT", "0019", "00", "B1", date(2026, 1, 2), time(9, 30), "CH")
    billing = ts.hl("20")                # HL*1**20*1
    ts.add("CLM", "PCN1", Decimal("125"), "", "", ("11", "B", "1"))
    data = ic.to_bytes()
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from parsers.delimiters import DEFAULT, Delimiters
from parsers.segment import Segment

if TYPE_CHECKING:
    from parsers.envelope import Interchange, TransactionSet
    from parsers.reader import Document


class Repeat(tuple[object, ...]):
    """An element's repetitions (each a value or a composite), joined with the repetition separator."""

    __slots__ = ()


Element = str | int | Decimal | dt.date | dt.time | Sequence[str] | Repeat | None


def render_isa(isa: Segment, target: Delimiters) -> str:
    """ISA carries the separators in ISA11 and ISA16: rewrite those, keep widths."""
    els = list(isa.elements)
    if target != isa.delims and len(els) == 17:
        if target.repetition and els[11] == isa.delims.repetition:
            els[11] = target.repetition
        els[16] = target.component
    return target.element.join(els)


def render(seg: Segment, delims: Delimiters) -> str:
    if seg.elements[0] == "ISA":
        return render_isa(seg, delims)
    return seg.render(delims)


def write_segments(segments: Iterable[Segment], delims: Delimiters) -> bytes:
    end = delims.segment + delims.line_break
    return "".join(render(seg, delims) + end for seg in segments).encode("latin-1")


def interchange_segments(ic: Interchange, transactions: Iterable[TransactionSet]) -> list[Segment]:
    """All segments of an interchange in order, from its envelope and its sets' trees."""
    by_group: dict[int, list[TransactionSet]] = {}
    loose: list[TransactionSet] = []
    for ts in transactions:
        if ts.interchange is not ic:
            continue
        if ts.group is None:
            loose.append(ts)
        else:
            by_group.setdefault(id(ts.group), []).append(ts)
    out: list[Segment] = [ic.header, *ic.ta1s]
    for ts in loose:
        out.extend(ts.segments())
    for group in ic.groups:
        out.append(group.header)
        for ts in by_group.get(id(group), []):
            out.extend(ts.segments())
        if group.trailer is not None:
            out.append(group.trailer)
    out.extend(ic.stray)
    if ic.trailer is not None:
        out.append(ic.trailer)
    if all(seg.ordinal > 0 for seg in out):
        out.sort(key=lambda seg: seg.ordinal)  # read order, strays included
    return out


def write_document(doc: Document, delims: Delimiters | None = None) -> bytes:
    """Write every interchange of a parsed document, with its own or the given separators."""
    parts = []
    for ic in doc.interchanges:
        parts.append(
            write_segments(interchange_segments(ic, doc.transactions), delims or ic.delimiters)
        )
    return b"".join(parts)


# building ----------------------------------------------------------------------


def format_element(value: Element, delims: Delimiters) -> str:
    """One element's text: amounts without exponent, dates CCYYMMDD, composites joined."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str or kind is int:  # the common cases first, as the chain below does them
        text = value if kind is str else str(value)
    elif kind is list:
        return _composite(value, delims)  # type: ignore[arg-type]
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        raise TypeError("booleans have no X12 form; pass the code (Y/N)")
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, dt.datetime):
        raise TypeError("pass a date or a time, not a datetime")
    elif isinstance(value, dt.date):
        text = value.strftime("%Y%m%d")
    elif isinstance(value, dt.time):
        text = value.strftime("%H%M")
    elif isinstance(value, Repeat):
        if len(value) == 1:
            return format_element(value[0], delims)  # type: ignore[arg-type]
        if not delims.repetition:
            raise ValueError("these separators have no repetition separator")
        return delims.repetition.join(format_element(v, delims) for v in value)  # type: ignore[arg-type]
    else:
        return _composite(value, delims)
    _check_text(text, delims)  # type: ignore[arg-type]
    return text  # type: ignore[return-value]


def _composite(value: Sequence[Element], delims: Delimiters) -> str:
    parts = [format_element(v, delims) for v in value]
    while parts and not parts[-1]:
        parts.pop()
    for p in parts:
        _check_text(p, delims)
    return delims.component.join(parts)


_SEPARATORS: dict[Delimiters, re.Pattern[str]] = {}


_LAST: list[tuple[Delimiters, re.Pattern[str]]] = []


def _check_text(text: str, delims: Delimiters) -> None:
    last = _LAST[-1] if _LAST else None
    if last is not None and last[0] is delims:  # the same separators, segment after segment
        found = last[1]
    else:
        cached = _SEPARATORS.get(delims)
        if cached is None:  # one search finds any of the four (ack building calls this a lot)
            seps = (delims.element, delims.component, delims.segment, delims.repetition)
            cached = re.compile("|".join(re.escape(sep) for sep in seps if sep) or "(?!)")
            if len(_SEPARATORS) > 256:
                _SEPARATORS.clear()
            _SEPARATORS[delims] = cached
        found = cached
        _LAST[:] = [(delims, found)]
    if found.search(text):
        raise ValueError("a value holds a separator character; choose other separators")


def make_segment(tag: str, *values: Element, delims: Delimiters = DEFAULT) -> Segment:
    """A new segment; trailing empty elements are dropped, as X12 requires."""
    els = [tag]
    for v in values:
        if type(v) is str:  # the common case, as format_element would do it
            _check_text(v, delims)
            els.append(v)
        elif v is None:
            els.append("")
        else:
            els.append(format_element(v, delims))
    while len(els) > 1 and not els[-1]:
        els.pop()
    return Segment(els, delims)


class TransactionBuilder:
    """Collects the segments of one transaction set between ST and SE."""

    def __init__(self, st01: str, control: str, version: str, delims: Delimiters) -> None:
        self.delims = delims
        self.st01 = st01
        self.control = control
        self.version = version
        self.segments: list[Segment] = []
        self._hl = 0

    def add(self, tag: str, *values: Element) -> Segment:
        seg = make_segment(tag, *values, delims=self.delims)
        self.segments.append(seg)
        return seg

    def extend(self, segments: Iterable[Segment]) -> None:
        for seg in segments:
            self.segments.append(
                seg if seg.delims == self.delims else Segment(list(seg.elements), seg.delims)
            )

    def hl(self, level: str, parent: str | None = None, children: bool | None = True) -> str:
        """Add an HL with the next number; returns its HL01 for children to point to."""
        self._hl += 1
        hl_id = str(self._hl)
        child_code = None if children is None else ("1" if children else "0")
        self.add("HL", hl_id, parent or "", level, child_code)
        return hl_id

    def all_segments(self) -> list[Segment]:
        st = make_segment("ST", self.st01, self.control, self.version, delims=self.delims)
        se = make_segment("SE", str(len(self.segments) + 2), self.control, delims=self.delims)
        return [st, *self.segments, se]


class GroupBuilder:
    def __init__(
        self,
        functional_id: str,
        sender: str,
        receiver: str,
        control: int,
        version: str,
        delims: Delimiters,
        when: dt.datetime,
    ) -> None:
        self.functional_id = functional_id
        self.sender = sender
        self.receiver = receiver
        self.control = str(control)
        self.version = version
        self.delims = delims
        self.when = when
        self.transactions: list[TransactionBuilder] = []

    def transaction(self, st01: str, control: str | None = None) -> TransactionBuilder:
        control = control or f"{len(self.transactions) + 1:04d}"
        ts = TransactionBuilder(st01, control, self.version, self.delims)
        self.transactions.append(ts)
        return ts

    def all_segments(self) -> list[Segment]:
        gs = make_segment(
            "GS",
            self.functional_id,
            self.sender,
            self.receiver,
            self.when.date(),
            self.when.strftime("%H%M"),
            self.control,
            "X",
            self.version,
            delims=self.delims,
        )
        out = [gs]
        for ts in self.transactions:
            out.extend(ts.all_segments())
        out.append(
            make_segment("GE", str(len(self.transactions)), self.control, delims=self.delims)
        )
        return out


class InterchangeBuilder:
    """Builds one interchange; control numbers come from the caller (unique per partner)."""

    def __init__(
        self,
        sender: tuple[str, str],
        receiver: tuple[str, str],
        control: int,
        *,
        usage: str = "P",
        ack_requested: bool = False,
        delimiters: Delimiters = DEFAULT,
        when: dt.datetime | None = None,
    ) -> None:
        delimiters.check()
        if not 0 < control < 10**9:
            raise ValueError("interchange control number must be 1 to 999999999")
        if usage not in ("P", "T"):
            raise ValueError("usage indicator must be P or T")
        self.sender = sender
        self.receiver = receiver
        self.control = control
        self.usage = usage
        self.ack_requested = ack_requested
        self.delims = delimiters
        self.when = when or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.groups: list[GroupBuilder] = []
        self.ta1s: list[Segment] = []
        self._group_control = control % 10**9

    def group(
        self,
        functional_id: str,
        sender: str,
        receiver: str,
        version: str,
        control: int | None = None,
    ) -> GroupBuilder:
        if control is None:
            control = self._group_control + len(self.groups)
        g = GroupBuilder(functional_id, sender, receiver, control, version, self.delims, self.when)
        self.groups.append(g)
        return g

    def ta1(self, control: str, date: str, time: str, ack: str, note: str) -> None:
        self.ta1s.append(make_segment("TA1", control, date, time, ack, note, delims=self.delims))

    def isa(self) -> Segment:
        d = self.delims
        q1, id1 = self.sender
        q2, id2 = self.receiver
        els = [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            q1.ljust(2),
            id1.ljust(15)[:15],
            q2.ljust(2),
            id2.ljust(15)[:15],
            self.when.strftime("%y%m%d"),
            self.when.strftime("%H%M"),
            d.repetition or "U",
            "00501",
            f"{self.control:09d}",
            "1" if self.ack_requested else "0",
            self.usage,
            d.component,
        ]
        for e in els[1:16]:
            _check_text(e, Delimiters(d.element, "", "", d.segment))  # ISA11/16 are separators
        return Segment(els, d)

    def all_segments(self) -> list[Segment]:
        out = [self.isa(), *self.ta1s]
        for g in self.groups:
            out.extend(g.all_segments())
        out.append(
            make_segment("IEA", str(len(self.groups)), f"{self.control:09d}", delims=self.delims)
        )
        return out

    def to_bytes(self) -> bytes:
        return write_segments(self.all_segments(), self.delims)
