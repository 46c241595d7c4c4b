"""Map-driven loop matcher (SNIP 2): segments of one transaction set -> loop tree + findings.

The matcher keeps a stack of open loop instances. For each segment it looks,
from the innermost open loop outwards, for the first child at or after the
current position whose segment ID and qualifier fit (a segment of that loop,
or the trigger segment of a child loop, which opens a new instance). Loops
above the match are closed, and closing a loop reports its required segments
and loops that never came. The lookup tables come from
:mod:`parsers.maps.compiler`, so no XML is touched per segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from parsers import findings as F
from parsers.elements import check_segment
from parsers.fastcheck import compile_check
from parsers.findings import Finding, Scope, Severity
from parsers.guides import known_segment_ids
from parsers.maps.spec import LoopSpec, SegmentSpec, TransactionMap
from parsers.segment import Segment
from parsers.tree import Loop


@dataclass(slots=True)
class Context:
    """Where a transaction set sits, for the findings' positions."""

    interchange: str | None = None
    group: str | None = None
    transaction: str | None = None
    lenient: bool = True


class _Frame:
    __slots__ = ("counts", "hl", "idx", "node", "spec")

    def __init__(self, spec: LoopSpec, node: Loop | None) -> None:
        self.spec = spec
        self.node = node
        self.idx = 0
        self.counts = [0] * len(spec.children)
        self.hl = ""  # HL01 of the HL segment that opened this loop, if any


class Matcher:
    """Matches the segments of one transaction set against a compiled map."""

    def __init__(self, tmap: TransactionMap, ctx: Context, build_tree: bool = True) -> None:
        self.tmap = tmap
        self.ctx = ctx
        self.build_tree = build_tree
        self.findings: list[Finding] = []
        self.root = Loop(tmap.root, tmap.root.id)
        self._stack = [_Frame(tmap.root, self.root if build_tree else None)]
        self._position = 0
        self._hl_ids: dict[str, str] = {}  # HL01 -> HL03
        self._hl_last = 0
        self._hl_expect_child: tuple[str, Segment] | None = None
        self._case_severity = Severity.WARNING if ctx.lenient else Severity.ERROR

    # public ----------------------------------------------------------------

    def add(self, seg: Segment) -> None:
        self._position += 1
        els = seg.elements
        tag = els[0]
        stack = self._stack
        # fast path: an unambiguous dictionary hit, innermost open loop first
        if self._position > 1 and tag != "SE":
            depth = len(stack) - 1
            while depth >= 0:
                frame = stack[depth]
                keyed = frame.spec.keyed.get(tag)
                if keyed is not None:
                    if keyed.ambiguous:
                        break
                    epos = keyed.epos
                    cands: tuple[tuple[int, SegmentSpec | LoopSpec], ...] | None
                    if epos:
                        value = els[epos] if epos < len(els) else ""
                        if keyed.cpos and value:
                            value = value.split(seg.delims.component, keyed.cpos)[keyed.cpos - 1]
                        cands = keyed.by_code.get(value)
                        if cands is None:
                            break  # a lower-case or unknown qualifier: the careful path decides
                    else:
                        cands = keyed.unqualified
                    idx = frame.idx
                    for ci, child in cands:
                        if ci >= idx and ci:
                            if depth < len(stack) - 1:
                                self._close_to(depth)
                            if isinstance(child, SegmentSpec):
                                self._place(depth, ci, child, seg)
                            else:
                                self._open(depth, ci, child, seg)
                            return
                depth -= 1
        if self._position == 1:
            self._place(0, 0, self.tmap.st, seg)
            return
        if tag == "SE":
            self._close_to(0)
            self._place(0, len(self.tmap.root.children) - 1, self.tmap.se, seg)
            return
        found = self._find_keyed(seg) or self._find(seg, qualified=False)
        if found is None:
            known = tag in known_segment_ids()
            self._finding(
                seg,
                "segment.unexpected" if known else "segment.unrecognized",
                (
                    f"Segment {tag} is not expected here"
                    if known
                    else "Segment ID is not recognized in this transaction set"
                ),
                ik3=F.IK3_UNEXPECTED if known else F.IK3_UNRECOGNIZED,
                loop=stack[-1].spec.id,
            )
            seg.spec = None
            node = stack[-1].node
            if node is not None:
                node.children.append(seg)
            return
        depth, ci, child = found
        if depth < len(stack) - 1:
            self._close_to(depth)
        if isinstance(child, LoopSpec):
            self._open(depth, ci, child, seg)
        else:
            self._place(depth, ci, child, seg)

    def finish(self) -> Loop:
        """Close every open loop (after SE, or when the set ends without one)."""
        self._close_to(0)
        frame = self._stack[0]
        for ci in frame.spec.required:
            if frame.counts[ci] == 0:
                child = frame.spec.children[ci]
                if isinstance(child, SegmentSpec) and child.id == "SE":
                    continue  # a missing trailer is the envelope's finding
                self._missing(frame, child)
        if self._hl_expect_child is not None:
            _hl_id, hl_seg = self._hl_expect_child
            self._element_finding(
                hl_seg,
                4,
                F.IK4_PATTERN_FAILURE,
                "HL04 says children follow but none do",
                severity=Severity.WARNING,
            )
        return self.root

    # matching ----------------------------------------------------------------

    def _find_keyed(self, seg: Segment) -> tuple[int, int, SegmentSpec | LoopSpec] | None:
        """The common case: candidates found by segment ID and qualifier value in a dict."""
        els = seg.elements
        tag = els[0]
        stack = self._stack
        for depth in range(len(stack) - 1, -1, -1):
            frame = stack[depth]
            keyed = frame.spec.keyed.get(tag)
            if keyed is None:
                continue
            epos = keyed.epos
            if epos:
                value = els[epos] if epos < len(els) else ""
                if keyed.cpos and value:
                    value = value.split(seg.delims.component, keyed.cpos)[keyed.cpos - 1]
                cands = keyed.by_code.get(value)
                if cands is None:
                    cands = keyed.by_code.get(value.upper(), keyed.unqualified)
            else:
                cands = keyed.unqualified
            idx = frame.idx
            if not keyed.ambiguous:
                for ci, child in cands:
                    if ci >= idx and ci:
                        return depth, ci, child
                continue
            fits = [(ci, child) for ci, child in cands if ci >= idx and ci]
            if epos == 0:
                comp = seg.delims.component
                fits = [
                    (ci, child)
                    for ci, child in fits
                    if (child if isinstance(child, SegmentSpec) else child.trigger).matches(
                        els, comp
                    )
                ]
            if fits:
                ci, child = fits[0] if len(fits) == 1 else self._best_fit(seg, fits)
                return depth, ci, child
        return None

    def _find(
        self, seg: Segment, qualified: bool
    ) -> tuple[int, int, SegmentSpec | LoopSpec] | None:
        tag = seg.elements[0]
        comp = seg.delims.component
        stack = self._stack
        for depth in range(len(stack) - 1, -1, -1):
            frame = stack[depth]
            cands = frame.spec.lookup.get(tag)
            if not cands:
                continue
            idx = frame.idx
            fits: list[tuple[int, SegmentSpec | LoopSpec]] = []
            for ci, child in cands:
                if ci < idx or ci == 0:
                    continue  # behind us, or a loop's own trigger (that opens a new instance)
                spec = child if isinstance(child, SegmentSpec) else child.trigger
                if not qualified or spec.matches(seg.elements, comp):
                    fits.append((ci, child))
                    if not qualified:
                        break
            if fits:
                ci, child = fits[0] if len(fits) == 1 else self._best_fit(seg, fits)
                return depth, ci, child
        return None

    def _best_fit(
        self, seg: Segment, fits: list[tuple[int, SegmentSpec | LoopSpec]]
    ) -> tuple[int, SegmentSpec | LoopSpec]:
        """Several specs fit the qualifier (e.g. two PWK in 2400): take the first that validates."""
        delims = seg.delims
        for ci, child in fits:
            spec = child if isinstance(child, SegmentSpec) else child.trigger
            problems = check_segment(seg.elements, spec, delims.component, delims.repetition, True)
            if not any(p[3] not in _SOFT and p[3] != "case" for p in problems):
                return ci, child
        return fits[0]

    def _close_to(self, depth: int) -> None:
        stack = self._stack
        while len(stack) - 1 > depth:
            frame = stack.pop()
            for ci in frame.spec.required:
                if frame.counts[ci] == 0:
                    self._missing(frame, frame.spec.children[ci])

    def _open(self, depth: int, ci: int, loop: LoopSpec, seg: Segment) -> None:
        frame = self._stack[depth]
        frame.counts[ci] += 1
        frame.idx = ci
        if frame.counts[ci] > loop.max_repeat:
            self._finding(
                seg,
                "loop.over_max",
                f"Loop {loop.id} occurs more than {loop.max_repeat} times",
                ik3=F.IK3_LOOP_OVER_MAX,
                loop=loop.id,
            )
        while True:
            parent = frame.node
            node = Loop(loop, loop.id, parent) if parent is not None else None
            if parent is not None and node is not None:
                parent.children.append(node)
            frame = _Frame(loop, node)
            self._stack.append(frame)
            first = loop.children[0]
            if isinstance(first, LoopSpec):
                frame.counts[0] = 1
                loop = first
                continue
            self._place(len(self._stack) - 1, 0, first, seg)
            return

    def _place(self, depth: int, ci: int, spec: SegmentSpec, seg: Segment) -> None:
        frame = self._stack[depth]
        counts = frame.counts
        count = counts[ci] = counts[ci] + 1
        frame.idx = ci
        seg.spec = spec
        node = frame.node
        if node is not None:
            node.children.append(seg)
        delims = seg.delims
        fast = spec.fast_ok
        if fast is None:  # generated on first use: most of a map's segments never occur
            fast = spec.fast_ok = compile_check(spec)
        clean = fast(seg.elements, delims.component, delims.repetition)
        if clean and count <= spec.max_use and spec.usage != "N":
            if spec.id == "HL":
                self._check_hl(seg)
            return
        if count > spec.max_use:
            self._finding(
                seg,
                "segment.over_max",
                f"Segment {spec.id} occurs more than {spec.max_use} times in loop {frame.spec.id}",
                ik3=F.IK3_SEGMENT_OVER_MAX,
                loop=frame.spec.id,
            )
        if spec.usage == "N":
            self._finding(
                seg,
                "segment.not_used",
                f"Segment {spec.id} is not used in this guide",
                ik3=F.IK3_NOT_USED_PRESENT,
                loop=frame.spec.id,
            )
        if clean:
            if spec.id == "HL":
                self._check_hl(seg)
            return
        problems = check_segment(seg.elements, spec, delims.component, delims.repetition, True)
        for epos, cpos, rpos, code, message, espec, value in problems:
            if code in _SOFT and self.ctx.lenient:
                self._element_finding(
                    seg, epos, code, message, cpos, rpos, espec, value, severity=Severity.WARNING
                )
            elif code == "case":
                self._element_finding(
                    seg,
                    epos,
                    F.IK4_INVALID_CODE,
                    message,
                    cpos,
                    rpos,
                    espec,
                    value,
                    severity=self._case_severity,
                    finding_code="repair.lowercase_code",
                )
            else:
                self._element_finding(seg, epos, code, message, cpos, rpos, espec, value)
        if spec.id == "HL":
            self._check_hl(seg)

    def _missing(self, frame: _Frame, child: SegmentSpec | LoopSpec) -> None:
        if isinstance(child, LoopSpec):
            seg_id, loop_id = child.trigger.id, child.id
            message = f"Required loop {child.id} is missing from loop {frame.spec.id}"
            code = "loop.required_missing"
        else:
            seg_id, loop_id = child.id, frame.spec.id
            message = f"Required segment {child.id} is missing from loop {frame.spec.id}"
            code = "segment.required_missing"
        self.findings.append(
            Finding(
                code,
                message,
                scope=Scope.SEGMENT,
                snip=2,
                ik3=F.IK3_REQUIRED_MISSING,
                interchange=self.ctx.interchange,
                group=self.ctx.group,
                transaction=self.ctx.transaction,
                segment_id=seg_id,
                position=self._position,
                loop=loop_id,
            )
        )

    # hierarchical levels -------------------------------------------------------

    def _check_hl(self, seg: Segment) -> None:
        hl_id, parent, child_code = seg.get(1), seg.get(2), seg.get(4)
        if hl_id:
            expected = str(self._hl_last + 1)
            if hl_id != expected:
                self._element_finding(
                    seg, 1, F.IK4_PATTERN_FAILURE, "HL01 does not continue the HL numbering by one"
                )
            # HL01 is AN 1/12; int() refuses "²" (a digit to isdigit) and 4300+ digits
            if hl_id.isascii() and hl_id.isdigit() and len(hl_id) <= 12:
                self._hl_last = int(hl_id)
        # the enclosing HL loop instance, by the map's nesting
        enclosing = ""
        stack = self._stack
        for frame in reversed(stack[:-1]):
            if frame.hl:
                enclosing = frame.hl
                break
        if stack[-1].idx == 0:
            stack[-1].hl = hl_id or "?"
        if parent != enclosing:
            self._element_finding(
                seg,
                2,
                F.IK4_PATTERN_FAILURE,
                "HL02 does not point to the enclosing hierarchical level",
            )
        pending = self._hl_expect_child
        if pending is not None and parent != pending[0]:
            self._element_finding(
                pending[1],
                4,
                F.IK4_PATTERN_FAILURE,
                "HL04 says children follow but none do",
                severity=Severity.WARNING,
            )
        hl04 = seg.spec.elements[3] if seg.spec is not None and len(seg.spec.elements) > 3 else None
        free_choice = hl04 is None or hl04.codes is None or len(hl04.codes) > 1
        self._hl_expect_child = (hl_id, seg) if child_code == "1" and free_choice else None
        self._hl_ids[hl_id] = seg.get(3)

    # findings ------------------------------------------------------------------

    def _finding(self, seg: Segment, code: str, message: str, *, ik3: str, loop: str) -> None:
        self.findings.append(
            Finding(
                code,
                message,
                scope=Scope.SEGMENT,
                snip=2,
                ik3=ik3,
                interchange=self.ctx.interchange,
                group=self.ctx.group,
                transaction=self.ctx.transaction,
                segment_id=seg.elements[0],
                ordinal=seg.ordinal,
                position=self._position,
                offset=seg.offset,
                loop=loop,
            )
        )

    def _element_finding(
        self,
        seg: Segment,
        epos: int,
        ik4: str,
        message: str,
        cpos: int = 0,
        rpos: int = 0,
        espec: object = None,
        value: str = "",
        *,
        severity: Severity = Severity.ERROR,
        finding_code: str | None = None,
    ) -> None:
        spec = seg.spec
        data_ele = getattr(espec, "data_ele", None) or None
        self.findings.append(
            Finding(
                finding_code or f"element.{_IK4_NAMES.get(ik4, 'invalid')}",
                message,
                severity=severity,
                scope=Scope.ELEMENT,
                snip=1 if ik4 in _SNIP1 else 2,
                ik3=F.IK3_ELEMENT_ERRORS,
                ik4=ik4,
                interchange=self.ctx.interchange,
                group=self.ctx.group,
                transaction=self.ctx.transaction,
                segment_id=seg.elements[0],
                ordinal=seg.ordinal,
                position=self._position if seg.spec is not None else None,
                offset=seg.offset,
                loop=spec.loop_id if spec is not None else None,
                element=epos,
                component=cpos or None,
                repetition=rpos or None,
                data_element=data_ele,
                value=value or None,
            )
        )


#: Implementation-only deviations that lenient reading reports as warnings:
#: a "not used" element that is present, and a guide pattern (e.g. a 9-digit ZIP).
_SOFT = {F.IK4_NOT_USED_PRESENT, F.IK4_PATTERN_FAILURE}
_SNIP1 = {F.IK4_TOO_MANY_ELEMENTS, F.IK4_INVALID_CHARACTER, F.IK4_INVALID_DATE, F.IK4_INVALID_TIME}
_IK4_NAMES = {
    F.IK4_REQUIRED_MISSING: "required_missing",
    F.IK4_CONDITIONAL_MISSING: "conditional_missing",
    F.IK4_TOO_MANY_ELEMENTS: "too_many_elements",
    F.IK4_TOO_SHORT: "too_short",
    F.IK4_TOO_LONG: "too_long",
    F.IK4_INVALID_CHARACTER: "invalid_character",
    F.IK4_INVALID_CODE: "invalid_code",
    F.IK4_INVALID_DATE: "invalid_date",
    F.IK4_INVALID_TIME: "invalid_time",
    F.IK4_EXCLUSION_VIOLATED: "exclusion_violated",
    F.IK4_TOO_MANY_REPETITIONS: "too_many_repetitions",
    F.IK4_TOO_MANY_COMPONENTS: "too_many_components",
    F.IK4_NOT_USED_PRESENT: "not_used",
    F.IK4_PATTERN_FAILURE: "pattern",
}
