"""The envelope state machine: tokens in, interchanges, groups and transaction sets out.

``Reader.feed(chunk)`` returns events as soon as they are complete, so a file
of any size is read one transaction set at a time::

    reader = Reader()
    for chunk in chunks:
        for event in reader.feed(chunk):
            ...
    for event in reader.close():
        ...

``read(stream)`` wraps that loop; ``parse(data)`` collects a whole
:class:`Document` for small inputs. Nothing here raises on bad input: every
problem becomes a :class:`~parsers.findings.Finding`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar, Protocol

from parsers import findings as F
from parsers.delimiters import Delimiters
from parsers.envelope import (
    FunctionalGroup,
    Interchange,
    TransactionSet,
    TransactionSummary,
    check_gs,
    check_isa,
)
from parsers.findings import Finding, Scope, Severity
from parsers.guides import FUNCTIONAL_IDS, load_map, resolve
from parsers.matcher import Context, Matcher
from parsers.profile import LENIENT, STRICT, Profile
from parsers.segment import Segment
from parsers.tokenizer import Body, Token, Tokenizer
from parsers.tree import Loop


class RuleRun(Protocol):
    """Business rules for one transaction set, fed each segment once it is placed."""

    def add(self, seg: Segment) -> None: ...

    def finish(self) -> list[Finding]: ...


class StreamingRules(Protocol):
    def start(self, ts: TransactionSet) -> RuleRun | None: ...


#: Rules run on each transaction set: streamed (``start`` -> run) or, for a plain
#: callable, on the finished set (which then keeps its segments).
Rules = StreamingRules | Callable[[TransactionSet], list[Finding]]
CHUNK_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class FileFinding:
    finding: Finding


@dataclass(frozen=True, slots=True)
class InterchangeStarted:
    interchange: Interchange


@dataclass(frozen=True, slots=True)
class GroupStarted:
    group: FunctionalGroup


@dataclass(frozen=True, slots=True)
class TransactionRead:
    transaction: TransactionSet


@dataclass(frozen=True, slots=True)
class GroupEnded:
    group: FunctionalGroup


@dataclass(frozen=True, slots=True)
class InterchangeEnded:
    interchange: Interchange


Event = (
    FileFinding
    | InterchangeStarted
    | GroupStarted
    | TransactionRead
    | GroupEnded
    | InterchangeEnded
)


@dataclass(frozen=True, slots=True)
class BodyJob:
    """One transaction set's text (ST through SE) and the context to check it in."""

    text: str
    delimiters: Delimiters
    offset: int
    ordinal: int
    version: str
    interchange: str | None
    group: str | None
    isa: list[str] | None
    gs: list[str] | None
    lenient: bool


@dataclass(frozen=True, slots=True)
class BodyResult:
    findings: list[Finding]
    bht02: str


#: Hands a transaction set to another process (or thread) and returns a future.
Delegate = Callable[[BodyJob], "Future[BodyResult]"]


@dataclass(slots=True)
class _Pending:
    ts: TransactionSet
    future: Future[BodyResult]


class Reader:
    """Reads X12 from byte chunks; never raises on malformed input."""

    def __init__(
        self,
        profile: Profile = LENIENT,
        rules: Rules | None = None,
        keep_trees: bool = True,
        delegate: Delegate | None = None,
    ) -> None:
        """``keep_trees=False`` validates without keeping loop trees or segment lists:
        memory stays flat however large a transaction set is (rules must stream)."""
        self.profile = profile
        self.rules = rules
        self._streaming: StreamingRules | None = None
        self._after: Callable[[TransactionSet], list[Finding]] | None = None
        if rules is not None and hasattr(rules, "start"):
            self._streaming = rules
        elif rules is not None:
            self._after = rules
        self.keep_trees = keep_trees or self._after is not None
        self._run: RuleRun | None = None
        self._last: Segment | None = None
        self._delegated: Future[BodyResult] | None = None
        self.delegate = delegate
        self.tokenizer = Tokenizer(profile)
        self.tokenizer.skim = delegate is not None
        self._ic: Interchange | None = None
        self._group: FunctionalGroup | None = None
        self._ts: TransactionSet | None = None
        self._pending: list[Segment] = []
        self._matcher: Matcher | _Collector | None = None
        self._ic_group_ids: set[str] = set()
        self._group_st_ids: set[str] = set()
        self._events: list[Event | _Pending] = []

    @property
    def segments_read(self) -> int:
        return self.tokenizer.segments_read

    @property
    def bytes_read(self) -> int:
        return self.tokenizer.bytes_read

    def feed(self, data: bytes) -> list[Event]:
        self._consume(self.tokenizer.feed(data))
        return self._drain()

    def close(self) -> list[Event]:
        self._consume(self.tokenizer.close())
        if self._ic is not None:
            self._end_interchange(None, premature=True)
        elif self._ts is not None:
            self._end_transaction(None)
        return self._drain(block=True)

    def _drain(self, block: bool = False) -> list[Event]:
        """Events in input order; a delegated transaction set holds back what follows it
        until its result is in (``block`` waits for all, at the end of the input)."""
        out: list[Event] = []
        events = self._events
        i = 0
        while i < len(events):
            event = events[i]
            if isinstance(event, _Pending):
                if not (block or event.future.done()):
                    break
                self._events = []  # _finalize appends the TransactionRead here
                self._complete(event)
                out.extend(self._events)  # type: ignore[arg-type]
            else:
                out.append(event)
            i += 1
        self._events = events[i:]
        return out

    def _complete(self, pending: _Pending) -> None:
        ts = pending.ts
        result = pending.future.result()
        ts.guide = resolve(ts.version, ts.st01, result.bht02)
        for f in result.findings:
            if f.scope is Scope.FILE and ts.interchange is not None:
                ts.interchange.findings.append(f.at(interchange=ts.interchange.control))
            else:
                ts.findings.append(f)
        self._finalize(ts)

    # dispatch ----------------------------------------------------------------

    def _consume(self, tokens: list[Token]) -> None:
        handlers = self._handlers
        keep = self.keep_trees
        for seg in tokens:
            if not isinstance(seg, Segment):
                if isinstance(seg, Body):
                    self._on_body(seg)
                else:
                    self._file_finding(seg)
                continue
            handler = handlers.get(seg.elements[0])
            if handler is not None:
                handler(self, seg)
                continue
            ts = self._ts
            if ts is None:
                self._stray(seg)
                continue
            ts.segment_count += 1
            if keep:
                ts.flat.append(seg)
            self._feed_matcher(seg)

    def _file_finding(self, finding: Finding) -> None:
        ic = self._ic
        if finding.scope is Scope.INTERCHANGE and ic is None and finding.segment_id == "ISA":
            self._events.append(FileFinding(finding))
        elif ic is not None and finding.scope is Scope.FILE and finding.code.startswith("repair."):
            ic.findings.append(finding.at(interchange=ic.control))
        else:
            self._events.append(FileFinding(finding))

    def _on_isa(self, seg: Segment) -> None:
        if self._ic is not None:
            self._end_interchange(None, premature=True)
        delims = self.tokenizer.delimiters or seg.delims
        ic = Interchange(seg, delims, start_offset=seg.offset)
        ic.findings.extend(check_isa(seg, self.profile.repairs_are_warnings))
        self._ic = ic
        self._ic_group_ids = set()
        self._events.append(InterchangeStarted(ic))

    def _on_ta1(self, seg: Segment) -> None:
        ic = self._ic
        if ic is None or self._group is not None:
            self._stray(seg)
            return
        ic.ta1s.append(seg)
        ok = (
            len(seg.elements) >= 6
            and seg.get(1).isdigit()
            and len(seg.get(1)) <= 9
            and seg.get(4) in ("A", "E", "R")
            and len(seg.get(5)) == 3
            and seg.get(5).isdigit()
        )
        if not ok:
            ic.findings.append(
                Finding(
                    "ta1.invalid",
                    "TA1 interchange acknowledgment is malformed",
                    scope=Scope.INTERCHANGE,
                    ta1=F.TA1_INVALID_CONTENT,
                    interchange=ic.control,
                    segment_id="TA1",
                    ordinal=seg.ordinal,
                    offset=seg.offset,
                )
            )

    def _on_gs(self, seg: Segment) -> None:
        ic = self._ic
        if ic is None:
            self._stray(seg)
            return
        if self._group is not None:
            self._end_group(None)
        group = FunctionalGroup(seg, interchange=ic)
        group.findings.extend(check_gs(seg, ic.control))
        if group.control in self._ic_group_ids:
            group.findings.append(
                self._group_finding(
                    group,
                    "gs.duplicate_control",
                    "GS06 repeats another group's control number",
                    F.AK9_CONTROL_NOT_UNIQUE,
                    seg,
                )
            )
        self._ic_group_ids.add(group.control)
        self._group_st_ids = set()
        ic.groups.append(group)
        self._group = group
        self._events.append(GroupStarted(group))

    def _on_st(self, seg: Segment) -> None:
        if self._ts is not None:
            self._end_transaction(None)
        ic = self._ic
        if ic is None:
            self._stray(seg)
            return
        if self._group is None:
            ic.findings.append(
                Finding(
                    "st.outside_group",
                    "A transaction set stands outside any functional group (GS missing)",
                    scope=Scope.INTERCHANGE,
                    ta1=F.TA1_INVALID_CONTENT,
                    interchange=ic.control,
                    segment_id="ST",
                    ordinal=seg.ordinal,
                    offset=seg.offset,
                )
            )
        if self._group is not None:
            self._group.set_count += 1
        ts = TransactionSet(
            header=seg,
            group=self._group,
            interchange=ic,
            start_offset=seg.offset,
            first_ordinal=seg.ordinal,
            segment_count=1,
            flat=[seg],
        )
        self._ts = ts
        self._pending = [seg]
        self._matcher = None
        self._run = None
        self._last = seg
        self._delegated = None

    def _on_body(self, body: Body) -> None:
        """The segments between ST and SE, skimmed by the tokenizer for a worker to check."""
        ts = self._ts
        if ts is None or self.delegate is None:  # cannot happen: skimming needs both
            return
        ts.segment_count += body.count
        self._pending = []
        self._matcher = None
        ic, group = ts.interchange, ts.group
        job = BodyJob(
            text=body.text,
            delimiters=body.delimiters,
            offset=body.offset,
            ordinal=body.ordinal,
            version=ts.version,
            interchange=ic.control if ic is not None else None,
            group=group.control if group is not None else None,
            isa=ic.header.elements if ic is not None else None,
            gs=group.header.elements if group is not None else None,
            lenient=self.profile.repairs_are_warnings,
        )
        self._delegated = self.delegate(job)
        self._last = None

    def _on_se(self, seg: Segment) -> None:
        if self._ts is None:
            self._stray(seg)
            return
        self._ts.segment_count += 1
        if self._delegated is not None:
            self._last = seg
            self._end_transaction(seg)
            return
        if self.keep_trees:
            self._ts.flat.append(seg)
        self._feed_matcher(seg)
        self._end_transaction(seg)

    def _on_ge(self, seg: Segment) -> None:
        if self._ts is not None:
            self._end_transaction(None)
        if self._group is None:
            self._stray(seg)
            return
        self._end_group(seg)

    def _on_iea(self, seg: Segment) -> None:
        if self._ic is None:
            self._stray(seg)
            return
        self._end_interchange(seg, premature=False)

    _handlers: ClassVar[dict[str, Callable[[Reader, Segment], None]]] = {
        "ISA": _on_isa,
        "TA1": _on_ta1,
        "GS": _on_gs,
        "ST": _on_st,
        "SE": _on_se,
        "GE": _on_ge,
        "IEA": _on_iea,
    }

    # transaction sets ----------------------------------------------------------

    def _feed_matcher(self, seg: Segment) -> None:
        self._last = seg
        matcher = self._matcher
        if matcher is not None:
            matcher.add(seg)
            if self._run is not None:
                self._run.add(seg)
            return
        self._pending.append(seg)
        if len(self._pending) >= 2:
            self._start_matcher()

    def _start_matcher(self) -> None:
        ts = self._ts
        assert ts is not None
        second = self._pending[1] if len(self._pending) > 1 else None
        bht02 = second.get(2) if second is not None and second.elements[0] == "BHT" else ""
        guide = resolve(ts.version, ts.st01, bht02)
        ts.guide = guide
        tmap = load_map(guide) if guide is not None else None
        if tmap is None:
            ts.findings.append(
                _not_supported(
                    ts, F.IK5_NOT_SUPPORTED if guide is None else F.IK5_GUIDE_NOT_SUPPORTED
                )
            )
            root = Loop(None, "ST_LOOP")
            root.children.extend(self._pending)
            ts.root = root
            self._matcher = _Collector(root)  # keeps segments, checks nothing
        else:
            ctx = Context(
                interchange=ts.interchange.control if ts.interchange else None,
                group=ts.group.control if ts.group else None,
                transaction=ts.control,
                lenient=self.profile.repairs_are_warnings,
            )
            matcher = Matcher(tmap, ctx, build_tree=self.keep_trees)
            run = self._streaming.start(ts) if self._streaming is not None else None
            for seg in self._pending:
                matcher.add(seg)
                if run is not None:
                    run.add(seg)
            self._matcher = matcher
            self._run = run
        self._pending = []

    def _end_transaction(self, se: Segment | None) -> None:
        ts = self._ts
        assert ts is not None
        delegated = self._delegated
        if delegated is None:
            if self._matcher is None:
                self._start_matcher()
            matcher = self._matcher
            assert matcher is not None
            root = matcher.finish()
            ts.root = root if self.keep_trees or isinstance(matcher, _Collector) else None
            ts.findings.extend(matcher.findings)
        ts.trailer = se
        last = se
        if se is None:
            ts.findings.append(
                self._ts_finding(
                    ts, "se.missing", "Transaction set trailer SE is missing", F.IK5_TRAILER_MISSING
                )
            )
            last = self._last or ts.header
        else:
            if se.get(1) != str(ts.segment_count):
                ts.findings.append(
                    self._ts_finding(
                        ts,
                        "se.count",
                        f"SE01 does not equal the {ts.segment_count} segments counted",
                        F.IK5_COUNT_MISMATCH,
                        se,
                    )
                )
            if se.get(2) != ts.control:
                ts.findings.append(
                    self._ts_finding(
                        ts, "se.control", "SE02 does not match ST02", F.IK5_CONTROL_MISMATCH, se
                    )
                )
        if not (ts.control.isdigit() and 4 <= len(ts.control) <= 9):
            ts.findings.append(
                self._ts_finding(
                    ts, "st.control", "ST02 must be 4 to 9 digits", F.IK5_INVALID_CONTROL
                )
            )
        if ts.control in self._group_st_ids:
            ts.findings.append(
                self._ts_finding(
                    ts,
                    "st.duplicate_control",
                    "ST02 repeats within the group",
                    F.IK5_CONTROL_NOT_UNIQUE,
                )
            )
        self._group_st_ids.add(ts.control)
        group = ts.group
        if group is not None and FUNCTIONAL_IDS.get(ts.st01) not in (None, group.functional_id):
            ts.findings.append(
                self._ts_finding(
                    ts,
                    "st.functional_id",
                    f"GS01 does not fit a {ts.st01} transaction set",
                    F.IK5_INVALID_ID,
                )
            )
        if last is not None:
            ts.end_offset = last.offset + last.length + 1
        self._ts = None
        self._matcher = None
        if delegated is not None:
            self._delegated = None
            self._events.append(_Pending(ts, delegated))
            return
        run, self._run = self._run, None
        if run is not None:
            ts.findings.extend(run.finish())
        elif self._after is not None and ts.root is not None and ts.guide is not None:
            ts.findings.extend(self._after(ts))
        self._finalize(ts)

    def _finalize(self, ts: TransactionSet) -> None:
        group = ts.group
        if group is not None:
            group.transactions.append(
                TransactionSummary(
                    ts.st01,
                    ts.control,
                    ts.version,
                    ts.guide.name if ts.guide else None,
                    ts.findings,
                    ts.accepted,
                )
            )
        self._events.append(TransactionRead(ts))

    def _ts_finding(
        self, ts: TransactionSet, code: str, message: str, ik5: str, seg: Segment | None = None
    ) -> Finding:
        seg = seg or ts.header
        return Finding(
            code,
            message,
            scope=Scope.TRANSACTION,
            ik5=ik5,
            interchange=ts.interchange.control if ts.interchange else None,
            group=ts.group.control if ts.group else None,
            transaction=ts.control,
            segment_id=seg.elements[0],
            ordinal=seg.ordinal,
            offset=seg.offset,
        )

    # groups and interchanges ---------------------------------------------------

    def _group_finding(
        self, group: FunctionalGroup, code: str, message: str, ak9: str, seg: Segment
    ) -> Finding:
        return Finding(
            code,
            message,
            scope=Scope.GROUP,
            ak9=ak9,
            interchange=group.interchange.control if group.interchange else None,
            group=group.control,
            segment_id=seg.elements[0],
            ordinal=seg.ordinal,
            offset=seg.offset,
        )

    def _end_group(self, ge: Segment | None) -> None:
        group = self._group
        assert group is not None
        group.trailer = ge
        if ge is None:
            group.findings.append(
                self._group_finding(
                    group,
                    "ge.missing",
                    "Functional group trailer GE is missing",
                    F.AK9_TRAILER_MISSING,
                    group.header,
                )
            )
        else:
            if ge.get(1) != str(group.set_count):
                group.findings.append(
                    self._group_finding(
                        group,
                        "ge.count",
                        f"GE01 does not equal the {group.set_count} transaction sets counted",
                        F.AK9_COUNT_MISMATCH,
                        ge,
                    )
                )
            if ge.get(2) != group.control:
                group.findings.append(
                    self._group_finding(
                        group, "ge.control", "GE02 does not match GS06", F.AK9_CONTROL_MISMATCH, ge
                    )
                )
        self._group = None
        self._events.append(GroupEnded(group))

    def _end_interchange(self, iea: Segment | None, premature: bool) -> None:
        ic = self._ic
        assert ic is not None
        if self._ts is not None:
            self._end_transaction(None)
        if self._group is not None:
            self._end_group(None)
        ic.trailer = iea
        if iea is None:
            ic.findings.append(
                Finding(
                    "iea.missing",
                    "Interchange trailer IEA is missing (the input ends early or another ISA follows)",
                    scope=Scope.INTERCHANGE,
                    ta1=F.TA1_PREMATURE_EOF,
                    interchange=ic.control,
                    segment_id="IEA",
                )
            )
            ic.end_offset = self.tokenizer.bytes_read
        else:
            ic.end_offset = iea.offset + iea.length + 1
            if iea.get(1) != str(len(ic.groups)):
                ic.findings.append(
                    Finding(
                        "iea.count",
                        f"IEA01 does not equal the {len(ic.groups)} functional groups counted",
                        scope=Scope.INTERCHANGE,
                        ta1=F.TA1_GROUP_COUNT,
                        interchange=ic.control,
                        segment_id="IEA",
                        ordinal=iea.ordinal,
                        offset=iea.offset,
                        element=1,
                    )
                )
            if iea.get(2) != ic.control:
                ic.findings.append(
                    Finding(
                        "iea.control",
                        "IEA02 does not match ISA13",
                        scope=Scope.INTERCHANGE,
                        ta1=F.TA1_CONTROL_MISMATCH,
                        interchange=ic.control,
                        segment_id="IEA",
                        ordinal=iea.ordinal,
                        offset=iea.offset,
                        element=2,
                    )
                )
        del premature
        self._ic = None
        self._events.append(InterchangeEnded(ic))

    def _stray(self, seg: Segment) -> None:
        tag = seg.elements[0]
        finding = Finding(
            "segment.outside_envelope",
            f"Segment {tag} stands outside the envelope structure where it is found",
            scope=Scope.INTERCHANGE,
            ta1=F.TA1_CONTROL_STRUCTURE,
            interchange=self._ic.control if self._ic else None,
            segment_id=tag,
            ordinal=seg.ordinal,
            offset=seg.offset,
        )
        if self._ic is not None:
            self._ic.findings.append(finding)
            self._ic.stray.append(seg)
        else:
            self._events.append(FileFinding(finding))


class _Collector:
    """Stands in for a matcher when no map exists: keeps the segments, checks nothing."""

    def __init__(self, root: Loop) -> None:
        self.root = root
        self.findings: list[Finding] = []

    def add(self, seg: Segment) -> None:
        self.root.children.append(seg)

    def finish(self) -> Loop:
        return self.root


# convenience -------------------------------------------------------------------


def _chunks(source: bytes | BinaryIO | Iterable[bytes], size: int) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        for i in range(0, len(data), size):
            yield data[i : i + size]
        return
    read = getattr(source, "read", None)
    if read is not None:
        while chunk := read(size):
            yield chunk
        return
    yield from source


def read(
    source: bytes | BinaryIO | Iterable[bytes],
    profile: Profile = LENIENT,
    rules: Rules | None = None,
    chunk_size: int = CHUNK_SIZE,
    keep_trees: bool = True,
    delegate: Delegate | None = None,
) -> Iterator[Event]:
    """Stream events from bytes, a binary file object or an iterable of chunks."""
    reader = Reader(profile, rules, keep_trees, delegate)
    for chunk in _chunks(source, chunk_size):
        yield from reader.feed(chunk)
    yield from reader.close()


@dataclass(slots=True)
class Document:
    """Everything read from one input, for inputs small enough to hold."""

    interchanges: list[Interchange] = field(default_factory=list)
    transactions: list[TransactionSet] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # outside any interchange

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for ic in self.interchanges:
            out.extend(ic.findings)
            for group in ic.groups:
                out.extend(group.findings)
        for ts in self.transactions:
            out.extend(ts.findings)
        return out

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.all_findings() if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.all_findings() if f.severity is Severity.WARNING]


def parse(
    source: bytes | BinaryIO | Iterable[bytes],
    profile: Profile = LENIENT,
    rules: Rules | None = None,
) -> Document:
    doc = Document()
    for event in read(source, profile, rules):
        if isinstance(event, FileFinding):
            doc.findings.append(event.finding)
        elif isinstance(event, InterchangeStarted):
            doc.interchanges.append(event.interchange)
        elif isinstance(event, TransactionRead):
            doc.transactions.append(event.transaction)
    return doc


def check_body(job: BodyJob, rules: StreamingRules | None = None) -> BodyResult:
    """Check one transaction set handed over by a skimming reader (run in a worker).

    Tokenizes the set's text where the reader left off (offsets and ordinals stay
    those of the whole input), matches it against its guide's map and runs the
    streaming rules, exactly as the reader would have in-line.
    """
    profile = LENIENT if job.lenient else STRICT
    tokenizer = Tokenizer(profile)
    tokenizer.resume(job.delimiters, job.offset, job.ordinal - 1)
    data = job.text.encode("latin-1")
    findings: list[Finding] = []
    ts: TransactionSet | None = None
    matcher: Matcher | None = None
    run: RuleRun | None = None
    head: list[Segment] = []
    bht02 = ""
    step = 1 << 16
    for i in range(0, len(data) + 1, step):
        tokens = tokenizer.feed(data[i : i + step]) if i < len(data) else tokenizer.close()
        for tok in tokens:
            if not isinstance(tok, Segment):
                if isinstance(tok, Finding):
                    findings.append(tok)
                continue
            if matcher is None:
                head.append(tok)
                if len(head) < 2 and tok.elements[0] != "SE":
                    continue
                # the first two segments name the guide (BHT02 tells 278 request from response)
                second = head[1] if len(head) > 1 else None
                bht02 = second.get(2) if second is not None and second.elements[0] == "BHT" else ""
                header = head[0]
                guide = resolve(job.version, header.get(1), bht02)
                tmap = load_map(guide) if guide is not None else None
                ic = (
                    Interchange(Segment(job.isa, job.delimiters), job.delimiters)
                    if job.isa
                    else None
                )
                group = (
                    FunctionalGroup(Segment(job.gs, job.delimiters), interchange=ic)
                    if job.gs
                    else None
                )
                ts = TransactionSet(header=header, group=group, interchange=ic, guide=guide)
                if tmap is None:
                    findings.append(
                        _not_supported(
                            ts, F.IK5_NOT_SUPPORTED if guide is None else F.IK5_GUIDE_NOT_SUPPORTED
                        )
                    )
                    return BodyResult(findings, bht02)
                matcher = Matcher(
                    tmap, Context(job.interchange, job.group, header.get(2), job.lenient), False
                )
                run = rules.start(ts) if rules is not None else None
                pending, head = head, []
            else:
                pending = [tok]
            for seg in pending:
                matcher.add(seg)
                if run is not None:
                    run.add(seg)
    if matcher is None or ts is None:
        return BodyResult(findings, bht02)
    matcher.finish()
    ts.findings = list(matcher.findings)
    extra = run.finish() if run is not None else []  # may tie ts.findings to claims
    return BodyResult(findings + ts.findings + extra, bht02)


def _not_supported(ts: TransactionSet, ik5: str) -> Finding:
    return Finding(
        "st.not_supported",
        "This transaction set type or implementation guide is not supported",
        scope=Scope.TRANSACTION,
        ik5=ik5,
        interchange=ts.interchange.control if ts.interchange else None,
        group=ts.group.control if ts.group else None,
        transaction=ts.control,
        segment_id="ST",
        ordinal=ts.header.ordinal,
        offset=ts.header.offset,
    )
