"""2000E/2100E: the dependent (NM1*QC) when the patient is not the subscriber;
in a 276 with DMG birth date and gender. Not in the 277CA.

Its 2200E loops are the claims, as at 2000D.
"""

from __future__ import annotations

from transactions.claim_status.levels import Level

LEVEL = Level(
    letter="E",
    roles={"dependent": "QC"},
    hl_codes={"276": "23", "277": "23"},
    default_roles={},
    dmg=frozenset({"276"}),
    hl04=frozenset(),
)
