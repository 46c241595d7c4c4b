"""2000A/2100A: the information source (the payer), as ``party`` role ``information_source``.

In a 271 the source may answer for the whole request with AAA: at the level
(``levelRejections``, 2000A) or under its name (``rejections``, 2100A); such a
response has no receiver below it.
"""

from __future__ import annotations

from typing import Any

from transactions.eligibility.common import Fields
from transactions.eligibility.loop_2000 import Level
from transactions.eligibility.loop_2000b import RECEIVER
from transactions.records import Record


def _index(fields: Fields, parent: Record | None) -> dict[str, Any]:
    return {"npi": fields.get("npi"), "tin": fields.get("tin")}


SOURCE = Level("information_source", "20", "2000A", "2100A", None, _index, RECEIVER)
