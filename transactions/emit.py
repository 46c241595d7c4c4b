"""Building a whole interchange around one plugin's records."""

from __future__ import annotations

import datetime as dt

from parsers.delimiters import DEFAULT, Delimiters
from parsers.guides import BY_NAME
from parsers.writer import InterchangeBuilder
from transactions.records import Record
from transactions.registry import TransactionPlugin


def emit(
    plugin: TransactionPlugin,
    records: list[Record],
    *,
    guide: str,
    sender: tuple[str, str] = ("ZZ", "X12GW"),
    receiver: tuple[str, str] = ("ZZ", "PARTNER"),
    control: int = 1,
    st02: str = "0001",
    usage: str = "P",
    delimiters: Delimiters = DEFAULT,
    when: dt.datetime | None = None,
) -> bytes:
    """ISA/GS/ST + the plugin's segments + SE/GE/IEA, counts and controls filled in."""
    spec = BY_NAME[guide]
    ic = InterchangeBuilder(
        sender, receiver, control, usage=usage, delimiters=delimiters, when=when
    )
    group = ic.group(spec.gs01, sender[1], receiver[1], version=spec.id, control=control)
    ts = group.transaction(spec.st01, st02)
    plugin.write(records, ts)
    return ic.to_bytes()
