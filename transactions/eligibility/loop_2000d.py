"""2000D/2100D: the dependent (the patient when not the subscriber), as ``party`` role ``dependent``.

A dependent has no member ID of its own in the NM1 (NM108/NM109 are not used at
2100D); its ``member_id`` index is a REF*1W when given, else its subscriber's, so
a lookup by member ID finds the whole family.
"""

from __future__ import annotations

from typing import Any

from transactions.eligibility.common import Fields
from transactions.eligibility.loop_2000 import Level
from transactions.eligibility.loop_2100 import person_index
from transactions.records import Record


def _index(fields: Fields, parent: Record | None) -> dict[str, Any]:
    index = person_index(fields)
    if not index.get("member_id") and parent is not None:
        index["member_id"] = parent.index.get("member_id")
    return index


DEPENDENT = Level("dependent", "23", "2000D", "2100D", "2110D", _index)
