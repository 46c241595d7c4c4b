"""835 balancing (SNIP 3), streamed: the payment equals the claims paid less provider
adjustments, and each claim's and service line's charge less payment equals its
adjustments (CAS at claim and line level)."""

from __future__ import annotations

from decimal import Decimal

from parsers.envelope import TransactionSet
from parsers.findings import Finding, Scope
from parsers.segment import Segment
from transactions.rules.common import RuleContext, amount

CAS_AMOUNTS = (3, 6, 9, 12, 15, 18)
PLB_AMOUNTS = (4, 6, 8, 10, 12, 14)
ZERO = Decimal(0)


def _sum(seg: Segment, positions: tuple[int, ...]) -> Decimal:
    return sum((amount(seg.get(p)) or ZERO for p in positions), ZERO)


class _Line:
    __slots__ = ("adjusted", "cas", "charge", "paid", "svc")

    def __init__(self, svc: Segment) -> None:
        self.svc = svc
        self.charge = amount(svc.get(2))
        self.paid = amount(svc.get(3))
        self.adjusted = ZERO
        self.cas = False


class _Claim:
    __slots__ = ("adjusted", "cas", "charge", "clp", "paid")

    def __init__(self, clp: Segment) -> None:
        self.clp = clp
        self.charge = amount(clp.get(3))
        self.paid = amount(clp.get(4))
        self.adjusted = ZERO
        self.cas = False  # any CAS or service line to balance against


class RemittanceRules:
    def __init__(self, ts: TransactionSet, ctx: RuleContext) -> None:
        self.ts = ts
        self.out: list[Finding] = []
        self.bpr: Segment | None = None
        self.paid = ZERO
        self.provider_adjustments = ZERO
        self.claim: _Claim | None = None
        self.line: _Line | None = None

    def _finding(self, seg: Segment, code: str, message: str) -> None:
        ts = self.ts
        self.out.append(
            Finding(
                code,
                message,
                scope=Scope.TRANSACTION,
                snip=3,
                ik5="I5",
                interchange=ts.interchange.control if ts.interchange else None,
                group=ts.group.control if ts.group else None,
                transaction=ts.control,
                segment_id=seg.elements[0],
                ordinal=seg.ordinal,
                position=seg.ordinal - ts.header.ordinal + 1,
                offset=seg.offset,
                loop=seg.spec.loop_id if seg.spec is not None else None,
            )
        )

    def add(self, seg: Segment) -> None:
        tag = seg.elements[0]
        if tag == "CLP":
            self._close_claim()
            self.claim = _Claim(seg)
            self.paid += self.claim.paid or ZERO
        elif tag == "SVC" and self.claim is not None:
            self._close_line()
            self.line = _Line(seg)
            self.claim.cas = True
        elif tag == "CAS" and self.claim is not None:
            total = _sum(seg, CAS_AMOUNTS)
            self.claim.adjusted += total
            self.claim.cas = True
            in_line = seg.spec.loop_id == "2110" if seg.spec is not None else True
            if self.line is not None and in_line:
                self.line.adjusted += total
                self.line.cas = True
        elif tag == "PLB":
            self._close_claim()
            self.provider_adjustments += _sum(seg, PLB_AMOUNTS)
        elif tag == "BPR":
            self.bpr = seg
        elif tag in ("LX", "SE"):
            self._close_claim()

    def _close_line(self) -> None:
        line, self.line = self.line, None
        if line is None or not line.cas or line.charge is None or line.paid is None:
            return
        if line.charge - line.paid != line.adjusted:
            self._finding(
                line.svc,
                "remit.line_unbalanced",
                "SVC02 less SVC03 does not equal the line's CAS adjustments",
            )

    def _close_claim(self) -> None:
        self._close_line()
        claim, self.claim = self.claim, None
        if claim is None or not claim.cas or claim.charge is None or claim.paid is None:
            return
        if claim.charge - claim.paid != claim.adjusted:
            self._finding(
                claim.clp,
                "remit.claim_unbalanced",
                "CLP03 less CLP04 does not equal the claim's CAS adjustments",
            )

    def finish(self) -> list[Finding]:
        self._close_claim()
        bpr = self.bpr
        total = amount(bpr.get(2)) if bpr is not None else None
        if bpr is not None and total is not None and total != self.paid - self.provider_adjustments:
            self._finding(
                bpr,
                "remit.payment_unbalanced",
                "BPR02 does not equal the claims paid less the PLB adjustments",
            )
        return self.out
