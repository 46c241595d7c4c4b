"""Business-rule validation beyond the TR3 structure: WEDI SNIP levels 3 to 5.

Rules stream: the reader hands each segment to a run as soon as the matcher has
placed it, so rules need no tree and a batch of any size is checked in bounded
memory. ``checker(level)`` gives a :class:`RuleSet` to pass to :func:`parsers.read`
as ``rules``; it is also a plain callable on a parsed transaction set.

Claim-level findings (inside an 837 2300 loop) have ``Scope.CLAIM`` and a 277CA
status, so one bad claim is rejected on its own while the rest of the batch goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from parsers.envelope import TransactionSet
from parsers.findings import Finding, Severity
from parsers.segment import Segment
from transactions.rules import claims, remittance
from transactions.rules.common import RuleContext, RuleRun

RUNS: dict[str, Callable[[TransactionSet, RuleContext], RuleRun]] = {
    "837P": claims.ClaimRules,
    "837I": claims.ClaimRules,
    "837D": claims.ClaimRules,
    "835": remittance.RemittanceRules,
}

#: Findings of SNIP levels above this are warnings unless a partner asks for more:
#: levels 1-3 (syntax, guide, balancing) reject; level 5 (code sets, NPIs) informs.
DEFAULT_ERROR_LEVEL = 3


class _Graded:
    """A run whose findings above the error level become warnings."""

    __slots__ = ("add", "level", "run")

    def __init__(self, run: RuleRun, level: int) -> None:
        self.run = run
        self.level = level
        self.add: Callable[[Segment], None] = run.add

    def finish(self) -> list[Finding]:
        return [
            replace(f, severity=Severity.WARNING) if f.snip > self.level and f.is_error else f
            for f in self.run.finish()
        ]


class RuleSet:
    def __init__(
        self, error_level: int = DEFAULT_ERROR_LEVEL, today: dt.date | None = None
    ) -> None:
        self.error_level = error_level
        self.today = today

    def start(self, ts: TransactionSet) -> _Graded | None:
        if ts.guide is None:
            return None
        factory = RUNS.get(ts.guide.name)
        if factory is None:
            return None
        ctx = RuleContext(self.today or dt.date.today(), self.error_level)
        return _Graded(factory(ts, ctx), self.error_level)

    def __call__(self, ts: TransactionSet) -> list[Finding]:
        """Check a transaction set that was read whole (its segments kept)."""
        run = self.start(ts)
        if run is None:
            return []
        for seg in ts.flat:
            run.add(seg)
        return run.finish()


def checker(error_level: int = DEFAULT_ERROR_LEVEL, today: dt.date | None = None) -> RuleSet:
    """A ``rules`` argument for :func:`parsers.read` with a chosen SNIP error level."""
    return RuleSet(error_level, today)


check = RuleSet()

__all__ = ["DEFAULT_ERROR_LEVEL", "RuleContext", "RuleSet", "check", "checker"]
