"""Name loops (1000A/B, 2010AA-CA, 2310x, 2330x, 2420x) as ``party`` records.

Fields: ``role`` (from NM101: billing, pay_to, subscriber, payer, patient,
rendering, referring, service_facility, supervising, attending, operating ...),
``entityType`` (person/organization), ``lastName``/``organizationName``,
``firstName``, ``middleName``, ``namePrefix``, ``suffix``; the NM108/NM109
identifier as ``npi`` (XX), ``memberId`` (MI), ``payerId`` (PI) or
``idQualifier`` + ``identifier``; ``address`` {line1, line2, city, state,
postalCode, country, countrySubdivision} (N3/N4); ``birthDate``, ``gender``
(DMG); ``tin`` (REF*EI), ``ssn`` (REF*SY), other REFs as ``secondaryIds``
[{qualifier, identifier}]; ``contacts`` [{name, phoneNumber, phoneExtension,
faxNumber, email}] (PER); ``taxonomy`` (PRV).
"""

from __future__ import annotations

from collections.abc import Sequence

from parsers.tree import Loop
from transactions.claims.codecs import Dates, P, Positional, Qualified, const
from transactions.claims.layout import Layout
from transactions.claims.raw import (
    Codec,
    Ctx,
    Fields,
    Node,
    Raw,
    Reading,
    element,
    first_ordinal,
    put,
    read_loop,
    strip,
    write_loop,
)
from transactions.records import Record

ENTITY = "party"

ROLES = {
    "41": "submitter",
    "40": "receiver",
    "85": "billing",
    "87": "pay_to",
    "PE": "pay_to_plan",
    "IL": "subscriber",
    "PR": "payer",
    "QC": "patient",
    "DN": "referring",
    "P3": "primary_care",
    "82": "rendering",
    "77": "service_facility",
    "DQ": "supervising",
    "PW": "ambulance_pickup",
    "45": "ambulance_dropoff",
    "71": "attending",
    "72": "operating",
    "ZZ": "other_operating",
    "DK": "ordering",
    "QB": "purchased_service",
    "DD": "assistant_surgeon",
}
CODES = {role: code for code, role in ROLES.items()}
#: PRV01 by role (the provider code the TR3 fixes for each loop)
PROVIDER_CODES = {
    "billing": "BI",
    "attending": "AT",
    "assistant_surgeon": "AS",
    "referring": "RF",
    "primary_care": "RF",
}
ENTITY_TYPES = {"1": "person", "2": "organization"}
ENTITY_TYPE_CODES = {v: k for k, v in ENTITY_TYPES.items()}
ID_FIELDS = {"XX": "npi", "MI": "memberId", "PI": "payerId"}
NAME_PARTS = ((4, "firstName"), (5, "middleName"), (6, "namePrefix"), (7, "suffix"))
#: PER communication qualifiers, in the order they are written (stored JSON keeps no key order)
COMMUNICATION = {"TE": "phoneNumber", "EX": "phoneExtension", "FX": "faxNumber", "EM": "email"}


def role_of(code: str) -> str:
    return ROLES.get(code, code)


def code_of(role: str) -> str:
    return CODES.get(role, role)


class Name:
    """NM1; the entity identifier code (NM101) comes from the role."""

    tag = "NM1"

    def accepts(self, raw: Raw) -> bool:
        return True

    def read(self, raw: Raw) -> Fields | None:
        kind = element(raw, 2)
        if not kind or len(raw) > 10:
            return None
        fields: Fields = {"entityType": ENTITY_TYPES.get(kind, kind)}
        put(fields, "lastName" if kind == "1" else "organizationName", element(raw, 3))
        for pos, name in NAME_PARTS:
            put(fields, name, element(raw, pos))
        qual, ident = element(raw, 8), element(raw, 9)
        if bool(qual) != bool(ident):
            return None
        if qual in ID_FIELDS:
            fields[ID_FIELDS[qual]] = ident
        elif qual:
            fields["idQualifier"], fields["identifier"] = qual, ident
        return fields

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        kind = fields.get("entityType")
        if not kind:
            return []
        code = ENTITY_TYPE_CODES.get(kind, kind)
        name = fields.get("lastName") if code == "1" else fields.get("organizationName")
        qual, ident = fields.get("idQualifier", ""), fields.get("identifier", "")
        for q, key in ID_FIELDS.items():
            if fields.get(key):
                qual, ident = q, fields[key]
                break
        role = fields.get("role") or ctx.role
        parts = [fields.get(n, "") for _, n in NAME_PARTS]
        return [strip(["NM1", code_of(role), code, name or "", *parts, qual, ident])]


class Contacts:
    """PER*IC as ``contacts``; numbers in another order than TE, EX, FX, EM stay raw."""

    tag = "PER"

    def accepts(self, raw: Raw) -> bool:
        return element(raw, 1) == "IC"

    def read(self, raw: Raw) -> Fields | None:
        if len(raw) > 9:
            return None
        item: Fields = {}
        put(item, "name", element(raw, 2))
        for pos in (3, 5, 7):
            qual, number = element(raw, pos), element(raw, pos + 1)
            if not qual and not number:
                continue
            key = COMMUNICATION.get(qual)
            if key is None or key in item or not number:
                return None
            item[key] = number
        return {"contacts": [item]}

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        out = []
        for item in fields.get("contacts") or []:
            raw: Raw = ["PER", "IC", item.get("name", "")]
            for qual, key in COMMUNICATION.items():
                if item.get(key):
                    raw += [qual, item[key]]
            out.append(strip(raw))
        return out


class Specialty:
    """PRV: the provider taxonomy code; PRV01 follows the role."""

    tag = "PRV"

    def accepts(self, raw: Raw) -> bool:
        return True

    def read(self, raw: Raw) -> Fields | None:
        if len(raw) != 4 or element(raw, 2) != "PXC" or not element(raw, 3):
            return None
        return {"taxonomy": element(raw, 3)}

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        taxonomy = fields.get("taxonomy")
        if not taxonomy:
            return []
        role = fields.get("role") or ctx.role
        return [["PRV", PROVIDER_CODES.get(role, "PE"), "PXC", taxonomy]]


STREET = Positional("N3", [P("line1", 1), P("line2", 2)], key="address")
CITY = Positional(
    "N4",
    [P("city", 1), P("state", 2), P("postalCode", 3), P("country", 4), P("countrySubdivision", 7)],
    key="address",
)
DEMOGRAPHICS = Positional(
    "DMG", [const(1, "D8", when="birthDate"), P("birthDate", 2, kind="date"), P("gender", 3)]
)
REFERENCES = Qualified("REF", {"EI": "tin", "SY": "ssn"}, rest="secondaryIds")
CURRENCY = Positional("CUR", [const(1, "85"), P("currencyCode", 2)])

NAME_CODECS: tuple[Codec, ...] = (Name(), STREET, CITY, DEMOGRAPHICS, REFERENCES, Contacts())
PROVIDER_CODECS: tuple[Codec, ...] = (*NAME_CODECS, Specialty())
#: 2330B other payer: adjudication date and the other payer's claim numbers
OTHER_PAYER_CODECS: tuple[Codec, ...] = (
    Name(),
    STREET,
    CITY,
    Dates({"573": "claimCheckOrRemittanceDate"}),
    Qualified(
        "REF",
        {
            "EI": "tin",
            "G1": "priorAuthorizationNumber",
            "9F": "referralNumber",
            "T4": "claimAdjustmentIndicator",
            "F8": "payerClaimControlNumber",
        },
        rest="secondaryIds",
    ),
)


def loop_role(loop: Loop) -> str:
    nm1 = loop.first("NM1")
    return role_of(nm1.get(1)) if nm1 is not None else loop.id


def read_fields(loop: Loop, reading: Reading, codecs: Sequence[Codec], role: str = "") -> Fields:
    """A name loop as a dict with its ``role``."""
    role = role or loop_role(loop)
    fields: Fields = {"role": role}
    read_loop(loop, codecs, fields, reading.ctx(role))
    return fields


def index_of(fields: Fields) -> Fields:
    index: Fields = {}
    put(index, "npi", fields.get("npi"))
    tin = fields.get("tin")
    if not tin and fields.get("role") in ("billing", "pay_to_plan"):
        tin = fields.get("ssn")  # an individual billing provider's TIN is an SSN
    put(index, "tin", tin)
    put(index, "member_id", fields.get("memberId"))
    return index


def read_party(
    loop: Loop, reading: Reading, key: str, parent: str | None, codecs: Sequence[Codec]
) -> Record:
    fields = read_fields(loop, reading, codecs)
    return reading.add(Record(ENTITY, key, parent, first_ordinal(loop), fields, index_of(fields)))


def name_node(
    lay: Layout, parent_loop: str, fields: Fields, codecs: Sequence[Codec], guide: str
) -> Node:
    """The name loop of a party (or of a nested party dict) under ``parent_loop``."""
    role = str(fields.get("role", ""))
    loop_id = lay.party_loop(parent_loop, code_of(role))
    return Node(loop_id, write_loop(fields, codecs, Ctx(guide, role), loop_id))
