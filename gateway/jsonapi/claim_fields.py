"""Helpers the claim JSON converters share: record field dicts, addresses, dates.

Kept apart from :mod:`gateway.jsonapi.claims` so that the converters of the
claim's parts (:mod:`gateway.jsonapi.claims_cob`) and of each claim kind use one
set of helpers without importing one another in a circle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from schemas.claims import Address

__all__ = ["Fields", "address_fields", "address_json", "date_of", "put", "value"]

Fields = dict[str, Any]


def put(fields: Fields, name: str, value: Any) -> None:
    """Set ``name`` unless ``value`` is empty (records keep no empty fields)."""
    if value not in (None, "", [], {}):
        fields[name] = value


def address_fields(a: Address | None) -> Fields | None:
    """N3/N4 as the claims plugin's ``address`` dict (None when absent)."""
    if a is None:
        return None
    out: Fields = {}
    for src, dst in (
        (a.address1, "line1"),
        (a.address2, "line2"),
        (a.city, "city"),
        (a.state, "state"),
        (a.postalCode, "postalCode"),
        (a.countryCode, "country"),
    ):
        put(out, dst, src)
    return out


def address_json(a: Fields | None) -> Address | None:
    """The plugin's ``address`` dict as an :class:`Address` (None when empty)."""
    if not a:
        return None
    return Address(
        address1=a.get("line1", ""),
        address2=a.get("line2"),
        city=a.get("city", ""),
        state=a.get("state"),
        postalCode=a.get("postalCode"),
        countryCode=a.get("country"),
    )


def value(fields: Fields, key: str) -> Any:
    """A field's value (None when absent), left to the model to validate."""
    return fields.get(key)


def date_of(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
