"""2000B/2100B: the information receiver (the provider asking), as ``party`` role
``information_receiver``; index ``npi`` / ``tin`` from its NM1."""

from __future__ import annotations

from typing import Any

from transactions.eligibility.common import Fields
from transactions.eligibility.loop_2000 import Level
from transactions.eligibility.loop_2000c import SUBSCRIBER
from transactions.records import Record


def _index(fields: Fields, parent: Record | None) -> dict[str, Any]:
    return {"npi": fields.get("npi"), "tin": fields.get("tin")}


RECEIVER = Level("information_receiver", "21", "2000B", "2100B", None, _index, SUBSCRIBER)
