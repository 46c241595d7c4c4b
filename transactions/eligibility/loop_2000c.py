"""2000C/2100C: the subscriber, as ``party`` role ``subscriber``, with its traces (TRN).

Index: ``member_id`` (NM109 when NM108 is MI, else REF*1W), ``npi``/``tin``
when the NM1 carries one, ``service_date`` (DTP*291, the date the inquiry is
about or the plan date of the response).
"""

from __future__ import annotations

from typing import Any

from transactions.eligibility.common import Fields
from transactions.eligibility.loop_2000 import Level
from transactions.eligibility.loop_2000d import DEPENDENT
from transactions.eligibility.loop_2100 import person_index
from transactions.records import Record


def _index(fields: Fields, parent: Record | None) -> dict[str, Any]:
    return person_index(fields)


SUBSCRIBER = Level("subscriber", "22", "2000C", "2100C", "2110C", _index, DEPENDENT)
