"""Streaming tokenizer: bytes in any chunking -> :class:`Segment` objects.

``Tokenizer.feed(chunk)`` returns the segments (and tokenizer findings) that
the chunk completes; ``close()`` flushes the tail. Separators are read from
each ISA header, so one stream may hold interchanges with different ones.
Bytes are decoded as Latin-1, a one-to-one map, so character offsets are byte
offsets and writing back yields the same bytes.

Real files bend the rules; under a :class:`~parsers.profile.Profile` the
tokenizer repairs a byte-order mark, newline segment terminators, blank lines,
trailing spaces, lower-case segment IDs and ISA fields that are not padded to
their fixed width, recording each repair as a finding (a warning when lenient,
an error when strict).
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers import findings as F
from parsers.delimiters import ISA_LENGTH, Delimiters
from parsers.findings import Finding, Scope, Severity
from parsers.profile import LENIENT, Profile
from parsers.segment import Segment


class Body:
    """The text of one transaction set (ST through SE), skimmed rather than split.

    With ``Tokenizer.skim`` on, the tokenizer emits the ST segment, then a Body
    holding the whole set's text for another process to check, then the SE
    segment: envelope checks stay with the reader, and the tokenizer does not
    split the segments in between. ``count`` is the number of segments between
    ST and SE; ``offset`` and ``ordinal`` are those of the ST segment.
    """

    __slots__ = ("count", "delimiters", "offset", "ordinal", "text")

    def __init__(
        self, text: str, delimiters: Delimiters, offset: int, ordinal: int, count: int
    ) -> None:
        self.text = text
        self.delimiters = delimiters
        self.offset = offset
        self.ordinal = ordinal
        self.count = count


Token = Segment | Finding | Body

_BOM = "\xef\xbb\xbf"
_LINE_BREAKS = "\r\n"
_MAX_REPEATED_REPAIRS = 20  # per kind and interchange, then one summary


class Tokenizer:
    """Splits a byte stream into segments. Never raises on bad input."""

    def __init__(self, profile: Profile = LENIENT) -> None:
        self.profile = profile
        self._repair_severity = Severity.WARNING if profile.repairs_are_warnings else Severity.ERROR
        self._buf = ""
        self._base = 0  # absolute offset of _buf[0]
        self._delims: Delimiters | None = None
        self._ordinal = 0
        self._seen_isa = False
        self._gap_start = -1  # offset where skipped (non-interchange) bytes began
        self._gap_head = ""
        self._gap_size = 0
        self._gap_blank = True
        self._repair_counts: dict[str, int] = {}
        self._closed = False
        self.bytes_read = 0
        #: hand transaction set bodies over whole (see :class:`Body`)
        self.skim = False
        self._final = False
        self._skim_resume = -1  # absolute offset to resume looking for an open set's SE

    # public API -----------------------------------------------------------

    def resume(self, delimiters: Delimiters, offset: int, ordinal: int) -> None:
        """Continue inside an interchange read elsewhere: separators, byte offset, ordinal."""
        self._delims = delimiters
        self._base = offset
        self._ordinal = ordinal
        self._seen_isa = True
        self.bytes_read = 1

    @property
    def delimiters(self) -> Delimiters | None:
        return self._delims

    @property
    def segments_read(self) -> int:
        return self._ordinal

    def feed(self, data: bytes) -> list[Token]:
        if self._closed:
            raise RuntimeError("feed() after close()")
        self.bytes_read += len(data)
        self._buf += data.decode("latin-1")
        out: list[Token] = []
        self._scan(out, final=False)
        return out

    def close(self) -> list[Token]:
        out: list[Token] = []
        if not self._closed:
            self._closed = True
            self._final = True
            self._scan(out, final=True)
            self._flush_tail(out)
            if self.bytes_read == 0:
                out.append(
                    Finding(
                        "file.empty",
                        "The input is empty: no interchange was received",
                        scope=Scope.FILE,
                        ta1=F.TA1_PREMATURE_EOF,
                    )
                )
            elif not self._seen_isa:
                out.append(
                    Finding(
                        "file.no_isa",
                        "No ISA interchange header was found in the input",
                        scope=Scope.FILE,
                        ta1=F.TA1_CONTROL_STRUCTURE,
                        offset=0,
                    )
                )
        return out

    # scanning ---------------------------------------------------------------

    def _scan(self, out: list[Token], final: bool) -> None:
        buf = self._buf
        pos = 0
        while True:
            delims = self._delims
            if delims is None:
                pos, wait = self._find_isa(buf, pos, out, final)
                if wait:
                    break
                continue
            pos, done = self._split(buf, pos, delims, out)
            if done:
                break
        self._buf = buf[pos:]
        self._base += pos

    def _split(self, buf: str, pos: int, delims: Delimiters, out: list[Token]) -> tuple[int, bool]:
        """Emit every complete segment after ``pos``; stop early at IEA or a new ISA."""
        term, sep = delims.segment, delims.element
        resume = self._skim_resume
        if resume >= 0:
            # a skimmed set is still open: look for its end in the new bytes only
            ends, _ = _skim_patterns(delims)
            if not self._final and ends.search(buf, max(pos, resume - self._base)) is None:
                self._skim_resume = self._base + max(pos, len(buf) - 16)
                return pos, True
            self._skim_resume = -1
        parts = buf[pos:].split(term)
        parts.pop()  # incomplete: wait for more bytes
        base = self._base
        lb_chars = _LINE_BREAKS.replace(term, "")
        trim_cr = term == "\n"
        cur = pos
        ordinal = self._ordinal
        skim = self.skim and term not in _LINE_BREAKS
        i = -1
        n_parts = len(parts)
        try:
            while i + 1 < n_parts:
                i += 1
                raw = parts[i]
                start = cur
                cur += len(raw) + 1
                if raw and raw[0] in lb_chars:
                    stripped = raw.lstrip(lb_chars)
                    start += len(raw) - len(stripped)
                    raw = stripped
                if raw[:3] == "ISA" and len(raw) > 3 and not raw[3].isalnum() and raw[3] != " ":
                    self._delims = None
                    return start, False
                if not raw or raw[-1] == " " or (trim_cr and raw[-1] == "\r"):
                    self._ordinal = ordinal
                    self._emit(raw, start, out)
                    ordinal = self._ordinal
                    continue
                elements = raw.split(sep)
                tag = elements[0]
                if not tag.isupper():
                    self._ordinal = ordinal
                    self._emit(raw, start, out)
                    ordinal = self._ordinal
                    continue
                if skim and tag == "ST":
                    skimmed = self._skim(buf, start, cur, delims)
                    if skimmed is None:  # the set's end is not in the buffer yet
                        self._skim_resume = base + max(start, len(buf) - 16)
                        return start, True
                    if skimmed:
                        body_end, count, text = skimmed
                        ordinal += 1
                        out.append(Segment(elements, delims, ordinal, base + start, len(raw)))
                        out.append(Body(text, delims, base + start, ordinal, count))
                        ordinal += count
                        i += count
                        cur = body_end
                        continue
                ordinal += 1
                out.append(Segment(elements, delims, ordinal, base + start, len(raw)))
                if tag == "IEA":
                    self._delims = None
                    return cur, False
        finally:
            self._ordinal = ordinal
        return cur, True

    @staticmethod
    def _looks_like_isa(buf: str, pos: int) -> bool:
        return len(buf) > pos + 3 and not buf[pos + 3].isalnum() and buf[pos + 3] != " "

    def _skim(
        self, buf: str, start: int, after: int, delims: Delimiters
    ) -> tuple[int, int, str] | tuple[()] | None:
        """Find the SE that ends the set whose ST starts at ``start``.

        Returns (position after the last body segment's terminator, body segment
        count, text from ST through SE), ``()`` when the set must be read segment
        by segment (no SE before another envelope segment, or an empty segment the
        tokenizer would repair), or None to wait for more bytes.
        """
        ends, empties = _skim_patterns(delims)
        m = ends.search(buf, after - 1)
        if m is None:
            return () if self._final else None
        if m.group(1) != "SE":
            return ()
        se_end = buf.find(delims.segment, m.end())
        if se_end < 0:
            return () if self._final else None
        body_end = m.start() + 1
        if empties.search(buf, after - 1, body_end):
            return ()
        count = buf.count(delims.segment, after, body_end)
        return body_end, count, buf[start : se_end + 1]

    def _emit(self, raw: str, pos: int, out: list[Token]) -> None:
        delims = self._delims
        assert delims is not None
        offset = self._base + pos
        if delims.segment == "\n" and raw.endswith("\r"):
            raw = raw[:-1]
        if not raw or raw.isspace():
            if delims.segment in _LINE_BREAKS or (raw and not raw.strip(_LINE_BREAKS)):
                self._repair(
                    out, "repair.blank_line", "Blank line between segments removed", offset
                )
            else:
                self._repair(out, "repair.empty_segment", "Empty segment removed", offset)
            return
        if raw[-1] == " ":
            stripped = raw.rstrip(" ")
            self._repair(
                out, "repair.trailing_space", "Trailing spaces removed from a segment", offset
            )
            raw = stripped
        elements = raw.split(delims.element)
        tag = elements[0]
        if not tag.isupper() and tag.isascii() and tag.isalnum():
            upper = tag.upper()
            if upper != tag:
                self._repair(
                    out, "repair.lowercase_tag", "Lower-case segment ID upper-cased", offset
                )
                elements[0] = upper
        self._ordinal += 1
        out.append(Segment(elements, delims, self._ordinal, offset, len(raw)))
        if elements[0] == "IEA":
            self._delims = None

    def _repair(self, out: list[Token], code: str, message: str, offset: int) -> None:
        n = self._repair_counts.get(code, 0) + 1
        self._repair_counts[code] = n
        if n > _MAX_REPEATED_REPAIRS:
            return
        if n == _MAX_REPEATED_REPAIRS:
            message += " (further repairs of this kind are not listed)"
        out.append(
            Finding(
                code,
                message,
                severity=self._repair_severity,
                scope=Scope.FILE,
                offset=offset,
                ordinal=self._ordinal + 1,
            )
        )

    # ISA detection --------------------------------------------------------

    def _find_isa(self, buf: str, pos: int, out: list[Token], final: bool) -> tuple[int, bool]:
        """Find and read the next ISA header: (position to continue at, wait for more bytes)."""
        start = buf.find("ISA", pos)
        while start >= 0 and not self._looks_like_isa(buf, start):
            if len(buf) <= start + 3 and not final:
                break
            start = buf.find("ISA", start + 1)
        if start < 0 or (len(buf) <= start + 3 and not final):
            # keep a possible partial "IS" at the end for the next chunk
            stop = len(buf) if final else max(pos, len(buf) - 2)
            if start >= 0:
                stop = start
            self._gap(buf, pos, stop)
            return stop, True
        self._gap(buf, pos, start)
        parsed = _read_isa(buf, start, final)
        if parsed is None:  # need more bytes
            if not final:
                return start, True
            self._flush_gap(out)
            out.append(
                Finding(
                    "isa.truncated",
                    "The input ends inside the ISA interchange header",
                    scope=Scope.INTERCHANGE,
                    ta1=F.TA1_PREMATURE_EOF,
                    segment_id="ISA",
                    offset=self._base + start,
                )
            )
            self._seen_isa = True
            return len(buf), True
        elements, delims, end, fixed, problem = parsed
        if problem is None and not final and len(buf) - end < _SNIFF_WINDOW:
            return start, True  # read ahead far enough to check the component separator
        self._flush_gap(out)
        offset = self._base + start
        if problem is not None:
            self._seen_isa = True
            out.append(
                Finding(
                    problem[0],
                    problem[1],
                    scope=Scope.INTERCHANGE,
                    ta1=problem[2],
                    segment_id="ISA",
                    offset=offset,
                    ordinal=self._ordinal + 1,
                )
            )
            return start + 3, False  # not a usable header: look for the next one
        self._seen_isa = True
        self._repair_counts.clear()
        if delims.segment in _LINE_BREAKS:
            self._repair(
                out,
                "repair.newline_terminator",
                "A line break is used as the segment terminator",
                offset,
            )
        if not fixed:
            self._repair(
                out,
                "repair.isa_not_fixed_width",
                "ISA fields are not padded to their fixed widths",
                offset,
            )
        used = _sniff_component(buf[end : end + _SNIFF_WINDOW], delims)
        if used is not None:
            self._repair(
                out,
                "repair.component_separator",
                "Composites use a different component separator than ISA16 declares",
                offset,
            )
            delims = Delimiters(
                delims.element, used, delims.repetition, delims.segment, delims.line_break
            )
        self._delims = delims
        self._ordinal += 1
        out.append(Segment(elements, delims, self._ordinal, offset, end - start - 1))
        return end, False

    def _gap(self, buf: str, start: int, end: int) -> None:
        """Remember bytes between interchanges (or before the first) that are skipped."""
        if end <= start:
            return
        if self._gap_start < 0:
            self._gap_start = self._base + start
            self._gap_head = ""
            self._gap_size = 0
            self._gap_blank = True
        text = buf[start:end]
        if len(self._gap_head) < 64:
            self._gap_head += text[: 64 - len(self._gap_head)]
        self._gap_size += len(text)
        if self._gap_blank and text.strip(" \r\n\t"):
            self._gap_blank = False

    def _flush_gap(self, out: list[Token]) -> None:
        if self._gap_start < 0:
            return
        begin, head, size, blank = self._gap_start, self._gap_head, self._gap_size, self._gap_blank
        self._gap_start = -1
        if blank:
            if not self._seen_isa:
                self._repair(
                    out, "repair.leading_whitespace", "Whitespace before ISA removed", begin
                )
            return
        if head.startswith(_BOM) and size == len(_BOM) and not self._seen_isa:
            self._repair(out, "repair.bom", "A byte-order mark before ISA was removed", begin)
            return
        lead = head.lstrip(_BOM + " \r\n\t")[:3]
        if len(lead) >= 2 and lead[:2].isalnum() and lead[:2].isupper() and not lead[2:3].isalnum():
            msg = f"{size} bytes of segments outside any interchange (no ISA header before them)"
            code = "file.outside_interchange"
        elif "\x00" in head or sum(not c.isprintable() and c not in "\r\n\t" for c in head) > 4:
            msg = f"{size} bytes of binary data that is not X12"
            code = "file.binary"
        else:
            msg = f"{size} bytes that are not X12 stand outside any interchange"
            code = "file.garbage"
        out.append(Finding(code, msg, scope=Scope.FILE, offset=begin, ta1=F.TA1_INVALID_CONTENT))

    def _flush_tail(self, out: list[Token]) -> None:
        buf = self._buf
        delims = self._delims
        if delims is not None and buf.strip(" \r\n\t" + delims.segment):
            self._repair(
                out,
                "repair.missing_terminator",
                "The last segment has no segment terminator",
                self._base,
            )
            self._emit(buf.rstrip("\r\n "), 0, out)
        elif delims is None and buf:
            self._gap(buf, 0, len(buf))
        self._buf = ""
        if self._gap_start >= 0 and (self._seen_isa or not self._gap_blank):
            if self._seen_isa and self._gap_blank:
                self._gap_start = -1  # trailing whitespace after the last IEA
            else:
                self._flush_gap(out)


@lru_cache(maxsize=32)
def _skim_patterns(delims: Delimiters) -> tuple[re.Pattern[str], re.Pattern[str]]:
    term, sep = re.escape(delims.segment), re.escape(delims.element)
    ends = re.compile(term + r"[\r\n]*(SE|ST|GE|IEA|ISA|TA1)" + sep)
    empties = re.compile(term + r"[\r\n \t]*" + term)
    return ends, empties


_SNIFF_WINDOW = 8192
#: Segments whose composites show which component separator a file really uses.
_COMPOSITE_TAGS = frozenset(
    {"CLM", "HI", "SV1", "SV2", "SV3", "SVC", "EQ", "EB", "TOO", "CTX", "SVD"}
)
_CANDIDATES = ">:^|\\!`<{}+"


def _sniff_component(window: str, delims: Delimiters) -> str | None:
    """The separator composites really use, when it is not the declared one."""
    seen: dict[str, int] = {}
    for raw in window.split(delims.segment)[:-1]:
        raw = raw.strip(_LINE_BREAKS)
        tag, _, rest = raw.partition(delims.element)
        if tag not in _COMPOSITE_TAGS:
            continue
        if delims.component in rest:
            return None
        for c in _CANDIDATES:
            if c in rest and c not in (delims.repetition, delims.element, delims.segment):
                seen[c] = seen.get(c, 0) + 1
    if not seen:
        return None
    return max(seen, key=lambda c: seen[c])


def _read_isa(
    buf: str, start: int, final: bool
) -> tuple[list[str], Delimiters, int, bool, tuple[str, str, str] | None] | None:
    """Read an ISA at ``start``: elements, separators, end position, fixed-width flag, problem."""
    if len(buf) < start + ISA_LENGTH and not final:
        return None  # wait for the whole fixed-width header
    sep = buf[start + 3]
    fixed = (
        len(buf) >= start + ISA_LENGTH
        and buf[start + 103] == sep
        and (buf.count(sep, start, start + 104) == 16)
    )
    if fixed:
        comp_pos = start + 104
    else:
        count, idx = 0, start + 2
        while count < 16:
            idx = buf.find(sep, idx + 1)
            if idx < 0:
                return None  # more bytes may come; at the end it is a truncated header
            if idx - start > 400:
                return _bad_isa(buf, start)
            count += 1
        comp_pos = idx + 1
    if len(buf) < comp_pos + 2:
        return None
    comp = buf[comp_pos]
    term = buf[comp_pos + 1]
    end = comp_pos + 2
    line_break = ""
    if term == "\r" and buf.startswith("\n", end):
        line_break = "\n"
        end += 1
    elif term not in _LINE_BREAKS:
        if buf.startswith("\r\n", end):
            line_break = "\r\n"
            end += 2
        elif buf.startswith("\n", end):
            line_break = "\n"
            end += 1
        elif not final and len(buf) < end + 2:
            return None
    elements = buf[start : comp_pos + 1].split(sep)
    rep = elements[11] if len(elements) > 11 else ""
    if len(rep) != 1 or rep.isalnum() or rep == " " or rep in (sep, comp, term):
        rep = ""  # 4010-style "U" or no repetition separator; envelope reports it
    delims = Delimiters(sep, comp, rep, term, line_break)
    problem: tuple[str, str, str] | None = None
    if sep.isalnum() or sep in " \r\n":
        problem = ("isa.element_separator", "Invalid element separator", F.TA1_ELEMENT_SEPARATOR)
    elif comp.isalnum() or comp in (sep, term, " "):
        problem = (
            "isa.component_separator",
            "Invalid component element separator",
            F.TA1_COMPONENT_SEPARATOR,
        )
    elif term.isalnum() or term in (sep, comp, " "):
        problem = ("isa.segment_terminator", "Invalid segment terminator", F.TA1_TERMINATOR_INVALID)
    return elements, delims, end, fixed, problem


def _bad_isa(buf: str, start: int) -> tuple[list[str], Delimiters, int, bool, tuple[str, str, str]]:
    return (
        ["ISA"],
        Delimiters(),
        start + 3,
        False,
        ("isa.malformed", "The ISA header cannot be read", F.TA1_CONTROL_STRUCTURE),
    )
