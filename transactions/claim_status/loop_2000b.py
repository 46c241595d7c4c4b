"""2000B/2100B: the information receiver (NM1*41), the submitter of the 276 or 837.

Its 2200B (277: receiver-level status; 277CA: the batch's status with accepted
and rejected counts and amounts) is a ``claim_status`` record under this party.
"""

from __future__ import annotations

from transactions.claim_status.levels import Level

LEVEL = Level(
    letter="B",
    roles={"information_receiver": "41"},
    hl_codes={"276": "21", "277": "21", "277CA": "21"},
    default_roles={},
    child="C",
)
