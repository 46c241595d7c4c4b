"""Business-rule validation beyond the TR3 structure: WEDI SNIP levels 3 to 5.

``check(ts)`` runs the rules for the transaction set's guide and returns
findings; pass it to :func:`parsers.read` as ``rules``. Claim-level findings
(inside an 837 2300 loop) have ``Scope.CLAIM`` and a 277CA status, so one bad
claim is rejected on its own while the rest of the batch goes through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from parsers.envelope import TransactionSet
from parsers.findings import Finding, Severity
from transactions.rules import claims, remittance
from transactions.rules.common import RuleContext

Rule = Callable[[TransactionSet, RuleContext], list[Finding]]

RULES: dict[str, tuple[Rule, ...]] = {
    "837P": (claims.rules,),
    "837I": (claims.rules,),
    "837D": (claims.rules,),
    "835": (remittance.balancing,),
}


#: Findings of SNIP levels above this are warnings unless a partner asks for more:
#: levels 1-3 (syntax, guide, balancing) reject; level 5 (code sets, NPIs) informs.
DEFAULT_ERROR_LEVEL = 3


def check(
    ts: TransactionSet, today: dt.date | None = None, error_level: int = DEFAULT_ERROR_LEVEL
) -> list[Finding]:
    if ts.guide is None or ts.root is None:
        return []
    ctx = RuleContext(today or dt.date.today(), error_level)
    out: list[Finding] = []
    for rule in RULES.get(ts.guide.name, ()):
        for f in rule(ts, ctx):
            if f.snip > error_level and f.is_error:
                f = replace(f, severity=Severity.WARNING)
            out.append(f)
    return out


def checker(
    error_level: int = DEFAULT_ERROR_LEVEL, today: dt.date | None = None
) -> Callable[[TransactionSet], list[Finding]]:
    """A ``rules`` callable for :func:`parsers.read` with a chosen SNIP error level."""
    return lambda ts: check(ts, today, error_level)
