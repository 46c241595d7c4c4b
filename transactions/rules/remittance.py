"""835 balancing (SNIP 3): the payment equals the claims paid less provider adjustments,
and each claim's and service line's charge less payment equals its adjustments."""

from __future__ import annotations

from decimal import Decimal

from parsers.envelope import TransactionSet
from parsers.findings import Finding, Scope
from parsers.segment import Segment
from parsers.tree import Loop
from transactions.rules.common import RuleContext, amount

CAS_AMOUNTS = (3, 6, 9, 12, 15, 18)
PLB_AMOUNTS = (4, 6, 8, 10, 12, 14)


def _sum(seg: Segment, positions: tuple[int, ...]) -> Decimal:
    return sum((amount(seg.get(p)) or Decimal(0) for p in positions), Decimal(0))


def _adjustments(loop: Loop) -> Decimal:
    return sum((_sum(cas, CAS_AMOUNTS) for cas in loop.segments("CAS")), Decimal(0))


def _finding(ts: TransactionSet, seg: Segment, code: str, message: str) -> Finding:
    return Finding(
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


def balancing(ts: TransactionSet, ctx: RuleContext) -> list[Finding]:
    assert ts.root is not None
    out: list[Finding] = []
    paid = Decimal(0)
    for claim in ts.root.find("2100"):
        clp = claim.first("CLP")
        if clp is None:
            continue
        charge, payment = amount(clp.get(3)), amount(clp.get(4))
        paid += payment or Decimal(0)
        if charge is None or payment is None:
            continue
        adjustments = _adjustments(claim)
        lines = list(claim.loops("2110"))
        for line in lines:
            adjustments += _adjustments(line)
            svc = line.first("SVC")
            if svc is None:
                continue
            line_charge, line_paid = amount(svc.get(2)), amount(svc.get(3))
            has_cas = any(True for _ in line.segments("CAS"))
            if (
                line_charge is not None
                and line_paid is not None
                and has_cas
                and line_charge - line_paid != _adjustments(line)
            ):
                out.append(
                    _finding(
                        ts,
                        svc,
                        "remit.line_unbalanced",
                        "SVC02 less SVC03 does not equal the line's CAS adjustments",
                    )
                )
        if charge - payment != adjustments and (lines or any(True for _ in claim.segments("CAS"))):
            out.append(
                _finding(
                    ts,
                    clp,
                    "remit.claim_unbalanced",
                    "CLP03 less CLP04 does not equal the claim's CAS adjustments",
                )
            )
    provider_adjustments = sum(
        (_sum(plb, PLB_AMOUNTS) for plb in ts.root.segments("PLB")), Decimal(0)
    )
    bpr = ts.root.first("BPR")
    total = amount(bpr.get(2)) if bpr is not None else None
    if bpr is not None and total is not None and total != paid - provider_adjustments:
        out.append(
            _finding(
                ts,
                bpr,
                "remit.payment_unbalanced",
                "BPR02 does not equal the claims paid less the PLB adjustments",
            )
        )
    return out
