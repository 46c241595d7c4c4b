"""2000A/2100A: the information source, the payer (NM1*PR) or, in a 277CA, a
clearinghouse (NM1*AY) acknowledging for it; in a 277 its PER contacts.

The 277CA's 2200A (transmission receipt: TRN, DTP*050 receipt and DTP*009
process dates) is a ``claim_status`` record under this party
(:mod:`transactions.claim_status.loop_2200`).
"""

from __future__ import annotations

from transactions.claim_status.levels import Level

LEVEL = Level(
    letter="A",
    roles={"payer": "PR", "information_source": "AY"},
    hl_codes={"276": "20", "277": "20", "277CA": "20"},
    default_roles={"276": "payer", "277": "payer", "277CA": "information_source"},
    contacts=frozenset({"277"}),
    child="B",
)
