"""2000C/2100C: the service provider (276/277, NM1*1P) or the billing provider
(277CA, NM1*85, whose name loop may repeat).

Its 2200C (277: provider-level status; 277CA: the provider's status with
accepted and rejected counts and amounts and a secondary identifier) is a
``claim_status`` record under this party.
"""

from __future__ import annotations

from transactions.claim_status.levels import Level

LEVEL = Level(
    letter="C",
    roles={"service_provider": "1P", "billing_provider": "85"},
    hl_codes={"276": "19", "277": "19", "277CA": "19"},
    default_roles={
        "276": "service_provider",
        "277": "service_provider",
        "277CA": "billing_provider",
    },
    child="D",
)
