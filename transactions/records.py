"""Normalized records: what a transaction plugin reads out of a transaction set, and writes back.

One shape for every transaction type. A record is an entity (``claim``,
``service_line``, ``party``, ``benefit`` ...) with a key that is unique within
its transaction set, the key of its parent record, the ordinal of the first
segment it came from (provenance: any value can be traced to the raw segments),
JSON-ready fields named after their X12 meaning, and a few index values the
store keeps in typed, indexed columns (member ID, patient control number, payer
claim control number, NPI, TIN, trace number, amount, date, code).

Fields hold only JSON types: amounts as decimal strings ("125.50"), dates as ISO
strings ("2026-01-02"), lists and dicts of those. ``amount()`` and ``day()``
convert back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: Index columns of the store; a record's ``index`` may only use these names.
INDEX_KEYS = frozenset(
    {
        "member_id",
        "patient_control_number",
        "payer_claim_control_number",
        "npi",
        "tin",
        "trace_number",
        "amount",
        "service_date",
        "code",
    }
)


@dataclass(slots=True)
class Record:
    entity: str
    key: str
    parent: str | None = None
    ordinal: int = 0
    fields: dict[str, Any] = field(default_factory=dict)
    index: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not INDEX_KEYS.issuperset(self.index):  # no set built for the usual good case
            unknown = set(self.index) - INDEX_KEYS
            raise ValueError(f"unknown index keys {sorted(unknown)}")

    def comparable(self) -> tuple[str, str, str | None, dict[str, Any], dict[str, Any]]:
        """Everything but the provenance, for round-trip comparisons."""
        return (self.entity, self.key, self.parent, self.fields, self.index)


def money(value: Decimal | str | None) -> str | None:
    """An amount as a canonical decimal string (no exponent, no trailing zeros)."""
    if value is None or value == "":
        return None
    d = Decimal(value)
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def amount(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
