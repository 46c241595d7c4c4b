"""271 2120C/2120D: benefit related entities, between LS*2120 and LE*2120.

Each is a ``party`` record, child of its benefit, with the role its NM101 names
(``third_party_administrator`` 2B, ``primary_care_provider`` P3,
``primary_payer`` PRP, ``provider`` 1P ... see ``RELATED_ROLES``) and the
name-loop fields (names, IDs, NM110 relationship, address, contacts, PRV).
Index: ``npi``, ``tin``.
"""

from __future__ import annotations

from collections.abc import Iterable

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.eligibility.codes import RELATED_ROLES
from transactions.eligibility.common import Fields, put
from transactions.eligibility.loop_2100 import read_name_loop, write_name_loop
from transactions.records import Record

_CODES = {role: code for code, role in RELATED_ROLES.items()}


def read_2120(loops: Iterable[Loop], benefit_key: str) -> list[Record]:
    out: list[Record] = []
    for n, loop in enumerate(loops, start=1):
        fields: Fields = {}
        read_name_loop(loop, fields)
        code = fields.get("entityIdentifierCode", "")
        fields = {"role": RELATED_ROLES.get(code, "benefit_related_entity"), **fields}
        first = next(loop.segments(), None)
        index = {k: fields[k] for k in ("npi", "tin") if fields.get(k)}
        out.append(
            Record(
                "party",
                f"{benefit_key}/party:related:{n}",
                benefit_key,
                first.ordinal if first is not None else 0,
                fields,
                index,
            )
        )
    return out


def write_2120(ts: TransactionBuilder, parties: list[Record]) -> None:
    if not parties:
        return
    put(ts, "LS", "2120")
    for party in parties:
        fields = party.fields
        if not fields.get("entityIdentifierCode") and fields.get("role") in _CODES:
            fields = {**fields, "entityIdentifierCode": _CODES[fields["role"]]}
        write_name_loop(ts, fields)
    put(ts, "LE", "2120")
