"""2000D/2100D: the subscriber (276/277, NM1*IL; in a 276 with DMG birth date and
gender) or, in a 277CA, the patient (HL03 PT, NM1*QC).

Its 2200D loops are the claims: ``claim_status_request`` (276) or
``claim_status`` (277, 277CA) records under this party.
"""

from __future__ import annotations

from transactions.claim_status.levels import Level

LEVEL = Level(
    letter="D",
    roles={"subscriber": "IL", "patient": "QC"},
    hl_codes={"276": "22", "277": "22", "277CA": "PT"},
    default_roles={"276": "subscriber", "277": "subscriber", "277CA": "patient"},
    dmg=frozenset({"276"}),
    hl04=frozenset({"276", "277"}),
    child="E",
)
