"""The shape every hierarchical level shares: HL, (DMG), the 2100 name loop, one ``party``.

A level (2000A-2000E) is its HL, in a 276 at the person levels a DMG, its name
loop (NM1, and in a 277 the payer's PER contacts), its 2200 tracking loops and
the next level's HL loops. The per-level differences (HL03 code, NM101 code per
role, which guides use DMG, PER and HL04) are in ``loop_2000a`` ... ``loop_2000e``;
walking the hierarchy is :mod:`transactions.claim_status.hierarchy`.

A level's party record is keyed ``party:<role>:<n>``. A second name loop at the
same level (the 277CA allows several 2100C billing provider names) is a party
with ``additionalName: true`` whose parent is the level's party.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import Element, TransactionBuilder
from transactions.claim_status.common import (
    GUIDES,
    Context,
    Fields,
    Table,
    compact,
    raw,
    read_table,
    write_raw,
    write_table,
)
from transactions.records import Record

ENTITY = "party"

ENTITY_TYPES = {"1": "person", "2": "organization"}
ENTITY_CODES = {v: k for k, v in ENTITY_TYPES.items()}

NM1: Table = (
    (4, "firstName", "s"),
    (5, "middleName", "s"),
    (6, "prefix", "s"),
    (7, "suffix", "s"),
    (8, "idQualifier", "s"),
    (9, "identifier", "s"),
)
DMG: Table = ((2, "birthDate", "d"), (3, "gender", "s"))

#: NM108 qualifiers whose NM109 is copied to a derived field (and an index column)
DERIVED_IDS = {"XX": "npi", "FI": "tin", "MI": "memberId", "II": "memberId"}
INDEX_OF = {"npi": "npi", "tin": "tin", "memberId": "member_id"}


@dataclass(frozen=True, slots=True)
class Level:
    letter: str  # A ... E
    #: role -> NM101 (the entity identifier code tells the roles of one level apart)
    roles: dict[str, str]
    #: guide -> HL03 (the hierarchical level code)
    hl_codes: dict[str, str]
    #: guide -> role of a level read without a name
    default_roles: dict[str, str]
    dmg: frozenset[str] = frozenset()  # guides with a DMG before the NM1
    contacts: frozenset[str] = frozenset()  # guides with PER contacts after the NM1
    hl04: frozenset[str] = frozenset(GUIDES)  # guides that use HL04 at this level
    child: str | None = None  # the letter of the level below

    @property
    def loop_id(self) -> str:
        return f"2000{self.letter}"

    @property
    def name_loop(self) -> str:
        return f"2100{self.letter}"

    def role_of(self, guide: str, nm101: str) -> str:
        for role, code in self.roles.items():
            if code == nm101:
                return role
        return self.default_roles.get(guide, next(iter(self.roles)))


# reading --------------------------------------------------------------------------


def read_nm1(seg: Segment) -> Fields:
    code = seg.get(2)
    out: Fields = {"entityType": ENTITY_TYPES.get(code, code)}
    if seg.get(3):
        out["organizationName" if code == "2" else "lastName"] = seg.get(3)
    out.update(read_table(seg, NM1))
    derived = DERIVED_IDS.get(seg.get(8))
    if derived and seg.get(9):
        out[derived] = seg.get(9)
    return compact(out)


def read_contact(seg: Segment) -> Fields:
    """PER: function code, name and up to three communication numbers."""
    comms = [
        compact({"qualifier": seg.get(pos), "number": seg.get(pos + 1)})
        for pos in (3, 5, 7)
        if seg.get(pos) or seg.get(pos + 1)
    ]
    return compact({"functionCode": seg.get(1), "name": seg.get(2), "communications": comms})


def read_name_loop(name: Loop | None, fields: Fields) -> None:
    """NM1, PER and anything else of a 2100 loop into ``fields``."""
    if name is None:
        return
    contacts: list[Fields] = []
    extra: list[list[Any]] = []
    nm1_seen = False
    for seg in name.segments():
        if seg.tag == "NM1" and not nm1_seen:
            nm1_seen = True
            fields.update(read_nm1(seg))
        elif seg.tag == "PER":
            contacts.append(read_contact(seg))
        else:
            extra.append(raw(seg))
    if contacts:
        fields["contacts"] = contacts
    if extra:
        fields["nameExtra"] = extra


def _index(fields: Fields) -> dict[str, Any]:
    return {col: fields[name] for name, col in INDEX_OF.items() if fields.get(name)}


def read_party(ctx: Context, level: Level, loop: Loop, parent: str | None) -> str:
    """The level's party record (and one per additional name loop); returns its key."""
    hl = loop.first("HL")
    names = list(loop.loops(level.name_loop))
    nm1 = names[0].first("NM1") if names else None
    role = level.role_of(ctx.guide, nm1.get(1) if nm1 is not None else "")
    fields: Fields = {"role": role}
    extra: list[list[Any]] = []
    for seg in loop.segments():
        if seg is hl:
            continue
        if seg.tag == "DMG" and "birthDate" not in fields and seg.get(1) in ("D8", ""):
            fields.update(read_table(seg, DMG))
        else:
            extra.append(raw(seg))
    read_name_loop(names[0] if names else None, fields)
    if extra:
        fields["levelExtra"] = extra
    key = ctx.next_key(f"party:{role}")
    ordinal = hl.ordinal if hl is not None else 0
    ctx.records.append(Record(ENTITY, key, parent, ordinal, fields, _index(fields)))
    for name in names[1:]:
        more: Fields = {"role": role, "additionalName": True}
        read_name_loop(name, more)
        first = next(name.segments(), None)
        ctx.records.append(
            Record(
                ENTITY,
                ctx.next_key(f"party:{role}"),
                key,
                first.ordinal if first is not None else ordinal,
                more,
                _index(more),
            )
        )
    return key


# writing --------------------------------------------------------------------------


def write_nm1(ts: TransactionBuilder, code: str, f: Fields) -> None:
    values = write_table(f, NM1)
    entity = f.get("entityType")
    if not f.get("identifier"):
        for qualifier, derived in DERIVED_IDS.items():
            if f.get(derived):
                values[7], values[8] = qualifier, str(f[derived])
                break
    name: Element = f.get("organizationName") or f.get("lastName")
    ts.add("NM1", code, ENTITY_CODES.get(entity, entity) if entity else None, name, *values[3:])


def write_contact(ts: TransactionBuilder, contact: Fields) -> None:
    values: list[Element] = [contact.get("functionCode"), contact.get("name")]
    for comm in contact.get("communications", []):
        values += [comm.get("qualifier"), comm.get("number")]
    ts.add("PER", *values)


def write_name_loop(ts: TransactionBuilder, level: Level, guide: str, f: Fields) -> None:
    role = str(f.get("role", ""))
    write_nm1(ts, level.roles.get(role, next(iter(level.roles.values()))), f)
    if guide in level.contacts:
        for contact in f.get("contacts", []):
            write_contact(ts, contact)
    write_raw(ts, f.get("nameExtra", []))


def write_party(
    ts: TransactionBuilder,
    guide: str,
    level: Level,
    party: Record,
    parent_hl: str | None,
    has_children: bool,
) -> str:
    """HL, DMG and the name loop of a level; returns the HL01 for the levels below."""
    f = party.fields
    hl = ts.hl(level.hl_codes[guide], parent_hl, has_children if guide in level.hl04 else None)
    if guide in level.dmg and (f.get("birthDate") or f.get("gender")):
        values = write_table(f, DMG)
        values[0] = "D8"
        ts.add("DMG", *values)
    write_raw(ts, f.get("levelExtra", []))
    write_name_loop(ts, level, guide, f)
    return hl
