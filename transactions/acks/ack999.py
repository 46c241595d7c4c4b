"""999 implementation acknowledgment (005010X231A1) for one functional group."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers import findings as F
from parsers.envelope import FunctionalGroup, TransactionSet
from parsers.findings import Finding, Scope, Severity
from parsers.writer import TransactionBuilder

MAX_IK3 = 100  # segment errors reported per transaction set
MAX_IK4 = 20  # element errors reported per segment
#: IK4 codes whose IK404 may echo the bad value back (codes and dates, never names)
_ECHO = {F.IK4_INVALID_CODE, F.IK4_CODE_NOT_USED, F.IK4_INVALID_DATE, F.IK4_INVALID_TIME}


@dataclass(slots=True)
class SetResult:
    """What the 999 needs of one transaction set."""

    st01: str
    control: str
    version: str
    findings: list[Finding] = field(default_factory=list)
    rejected: bool = False
    claim_errors: bool = False

    @classmethod
    def of(cls, ts: TransactionSet) -> SetResult:
        errors = [f for f in ts.findings if f.severity is Severity.ERROR]
        syntax = [f for f in errors if f.scope is not Scope.CLAIM]
        return cls(
            st01=ts.st01,
            control=ts.control,
            version=ts.header.get(3),
            findings=syntax,
            rejected=not ts.accepted,
            claim_errors=any(f.claim is not None or f.scope is Scope.CLAIM for f in errors),
        )

    @property
    def ik5(self) -> str:
        if self.rejected:
            return "R"
        return "E" if self.findings or self.claim_errors else "A"


def _ik5_codes(result: SetResult) -> list[str]:
    codes: list[str] = []
    for f in result.findings:
        if f.ik5 and f.ik5 not in codes:
            codes.append(f.ik5)
    if any(f.ik3 for f in result.findings) and F.IK5_SEGMENTS_IN_ERROR not in codes:
        codes.append(F.IK5_SEGMENTS_IN_ERROR)
    return codes[:5]


def _segment_errors(result: SetResult) -> list[tuple[tuple[str, int, str, str], list[Finding]]]:
    """Group element findings under their segment; one IK3 per segment and code."""
    groups: dict[tuple[str, int, str, str], list[Finding]] = {}
    for f in result.findings:
        if not f.ik3 or f.position is None:
            continue
        key = (
            f.segment_id or "",
            f.position,
            (f.loop or "")[:4] if f.loop and f.loop[0].isdigit() else "",
            f.ik3,
        )
        groups.setdefault(key, []).append(f)
    return sorted(groups.items(), key=lambda kv: kv[0][1])[:MAX_IK3]


def add_999(tb: TransactionBuilder, group: FunctionalGroup, results: list[SetResult]) -> None:
    """Write the body of a 999 for ``group`` into ``tb`` (ST/SE are added by the builder)."""
    tb.add("AK1", group.functional_id or "HC", group.control or "0", group.version or None)
    accepted = 0
    for result in results:
        tb.add("AK2", result.st01, result.control, result.version or None)
        for (seg_id, position, loop, ik3), items in _segment_errors(result):
            tb.add("IK3", (seg_id or "ST")[:3], position, loop or None, ik3)
            for f in items[:MAX_IK4]:
                if f.ik4 is None or f.element is None:
                    continue
                pos: tuple[str, ...] = (str(f.element),)
                if f.component or f.repetition:
                    pos = (str(f.element), str(f.component or ""), str(f.repetition or ""))
                value = f.value if f.ik4 in _ECHO and f.value and len(f.value) <= 99 else None
                ref = f.data_element if f.data_element and f.data_element.isdigit() else None
                tb.add("IK4", pos, ref, f.ik4, value)
        status = result.ik5
        if status != "R":
            accepted += 1
        tb.add("IK5", status, *_ik5_codes(result))
    group_errors = [f for f in group.findings if f.severity is Severity.ERROR]
    ak905 = [f.ak9 for f in group_errors if f.ak9][:5]
    received = len(results)
    if accepted == received and not group_errors:
        ak9 = "E" if any(r.ik5 == "E" for r in results) else "A"
    elif accepted == 0 or group_errors:
        ak9 = "R"
        accepted = 0 if group_errors else accepted
    else:
        ak9 = "P"
    included = (
        group.trailer.get(1)
        if group.trailer is not None and group.trailer.get(1).isdigit()
        else str(received)
    )
    tb.add("AK9", ak9, included, received, accepted, *ak905)
