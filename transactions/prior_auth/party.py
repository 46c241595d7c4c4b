"""The name loops of the 278 (2010A ... 2010FB) as ``party`` records, and back.

Every 2010 loop has the same shape: NM1, then some of REF, N3, N4, PER, AAA,
PRV, DMG, INS (2010EC of a request: REF ZZ and DTP 598), always in that
order, so one reader and one writer serve them all. The ``role`` says which
loop a party belongs to; ``entityIdentifierCode`` keeps the NM101 code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import Element, TransactionBuilder
from transactions.prior_auth.segments import AAA, F, Fields, add, add_raw, iso_date, raw, take
from transactions.prior_auth.segments import x12_date as _x12_date
from transactions.records import Record

#: NM101 of the provider loops (2010EA event providers, 2010F/2010FA service providers)
PROVIDER_ROLES = {
    "1T": "physician",
    "71": "attending",
    "72": "operating",
    "73": "other_physician",
    "77": "service_location",
    "AAJ": "admitting",
    "DD": "assistant_surgeon",
    "DK": "ordering",
    "DN": "referring",
    "DQ": "supervising",
    "FA": "facility",
    "G3": "clinic",
    "P3": "primary_care",
    "QB": "purchased_service",
    "QV": "group_practice",
    "SJ": "service_provider",
}
#: NM101 of the ambulance transport locations (2010EB request, 2010EC response)
TRANSPORT_ROLES = {
    "45": "drop_off_location",
    "FS": "final_scheduled_destination",
    "ND": "next_destination",
    "PW": "pickup_location",
    "R3": "next_scheduled_destination",
}
#: NM101 of the contact for additional information (2010EB, 2010FB of a response)
CONTACT_CODES = frozenset({"1P", "2B", "36", "PR"})
CONTACT_ROLE = "information_contact"
#: NM101 of another UMO that denied the request (2010EC of a request)
OTHER_UMO_CODES = frozenset({"00", "CA", "GG"})
OTHER_UMO_ROLE = "other_umo"

_CODE_OF_ROLE = {
    **{v: k for k, v in PROVIDER_ROLES.items()},
    **{v: k for k, v in TRANSPORT_ROLES.items()},
    "umo": "X3",
    "requester": "1P",
    "subscriber": "IL",
    "dependent": "QC",
    CONTACT_ROLE: "PR",
    OTHER_UMO_ROLE: "CA",
}
_ENTITY_TYPES = {"1": "person", "2": "organization"}
_ENTITY_CODES = {v: k for k, v in _ENTITY_TYPES.items()}

ADDRESS_N3 = (F("line1", 1), F("line2", 2))
ADDRESS_N4 = (
    F("city", 1),
    F("state", 2),
    F("postalCode", 3),
    F("country", 4),
    F("countrySubdivision", 7),
)
REF = (F("qualifier", 1), F("identifier", 2), F("description", 3))
PRV = (F("providerCode", 1), F("taxonomyQualifier", 2), F("taxonomy", 3))
INS = (
    F("insuredIndicator", 1),
    F("relationshipCode", 2),
    F("employmentStatusCode", 8),
    F("birthSequenceNumber", 17),
)


def nested_role(code: str) -> str:
    """The role of a party in a loop below 2000E/2000F, from its NM101."""
    if code in TRANSPORT_ROLES:
        return TRANSPORT_ROLES[code]
    if code in CONTACT_CODES:
        return CONTACT_ROLE
    if code in OTHER_UMO_CODES:
        return OTHER_UMO_ROLE
    return PROVIDER_ROLES.get(code, code.lower() or "provider")


def entity_code(fields: Mapping[str, Any]) -> str:
    code = fields.get("entityIdentifierCode")
    return str(code) if code else _CODE_OF_ROLE.get(str(fields.get("role")), "")


def kind_of(fields: Mapping[str, Any]) -> str:
    """Which loop a nested party is written in: provider, contact, transport or other_umo."""
    code = entity_code(fields)
    if code in TRANSPORT_ROLES:
        return "transport"
    if code in CONTACT_CODES:
        return "contact"
    if code in OTHER_UMO_CODES:
        return "other_umo"
    return "provider"


# reading --------------------------------------------------------------------------


def _name(seg: Segment) -> Fields:
    out: Fields = {}
    code = seg.get(1)
    if code:
        out["entityIdentifierCode"] = code
    etype = seg.get(2)
    if etype:
        out["entityType"] = _ENTITY_TYPES.get(etype, etype)
    if seg.get(3):
        out["organizationName" if etype == "2" else "lastName"] = seg.get(3)
    for pos, name in ((4, "firstName"), (5, "middleName"), (6, "prefix"), (7, "suffix")):
        if seg.get(pos):
            out[name] = seg.get(pos)
    if seg.get(8):
        out["idQualifier"] = seg.get(8)
    if seg.get(9):
        out["identifier"] = seg.get(9)
    return out


#: PER communication qualifiers copied to a named field of the contact (first one wins)
COMMUNICATIONS = {"TE": "phone", "EX": "extension", "FX": "fax", "EM": "email"}


def _contact(seg: Segment) -> Fields:
    out: Fields = {"functionCode": seg.get(1)} if seg.get(1) else {}
    if seg.get(2):
        out["name"] = seg.get(2)
    comms = [
        {k: v for k, v in (("qualifier", seg.get(pos)), ("number", seg.get(pos + 1))) if v}
        for pos in (3, 5, 7)
        if seg.get(pos) or seg.get(pos + 1)
    ]
    if comms:
        out["communications"] = comms
    for comm in comms:
        name = COMMUNICATIONS.get(comm.get("qualifier", ""))
        if name and name not in out and comm.get("number"):
            out[name] = comm["number"]
    return out


def _contact_values(contact: Mapping[str, Any]) -> list[Element]:
    values: list[Element] = [contact.get("functionCode") or "IC", contact.get("name")]
    comms = contact.get("communications")
    if comms is None:
        comms = [
            {"qualifier": q, "number": contact[name]}
            for q, name in COMMUNICATIONS.items()
            if contact.get(name)
        ]
    for comm in list(comms)[:3]:
        values += [comm.get("qualifier"), comm.get("number")]
    return values


def read_party(loop: Loop, role: str, key: str, parent: str | None) -> Record:
    """One 2010 loop as a party record."""
    fields: Fields = {"role": role}
    address: Fields = {}
    extra: list[list[Any]] = []
    first = 0
    for seg in loop.walk():
        first = first or seg.ordinal
        tag = seg.tag
        if tag == "NM1" and "entityIdentifierCode" not in fields:
            fields.update(_name(seg))
        elif tag == "REF" and role == OTHER_UMO_ROLE and seg.get(1) == "ZZ":
            parts = seg.components(4)
            codes = [seg.get(2), *(parts[i] for i in range(1, len(parts), 2))]
            fields["denialReasonCodes"] = [c for c in codes if c]
        elif tag == "REF":
            fields.setdefault("additionalIdentifiers", []).append(take(seg, REF))
        elif tag == "N3" and not address:
            address.update(take(seg, ADDRESS_N3))
        elif tag == "N4" and not set(address) - {"line1", "line2"}:
            address.update(take(seg, ADDRESS_N4))
        elif tag == "PER":
            fields.setdefault("contacts", []).append(_contact(seg))
        elif tag == "AAA":
            fields.setdefault("rejections", []).append(take(seg, AAA))
        elif tag == "PRV" and "providerCode" not in fields:
            fields.update(take(seg, PRV))
        elif tag == "DMG" and seg.get(1) == "D8" and "birthDate" not in fields:
            if seg.get(2):
                fields["birthDate"] = iso_date(seg.get(2))
            if seg.get(3):
                fields["gender"] = seg.get(3)
        elif tag == "INS" and "relationshipCode" not in fields:
            fields.update(take(seg, INS))
        elif tag == "DTP" and seg.get(1) == "598" and seg.get(2) == "D8":
            fields["denialDate"] = iso_date(seg.get(3))
        else:
            extra.append(raw(seg))
    if address:
        fields["address"] = address
    if extra:
        fields["extra"] = extra
    index: Fields = {}
    qual, ident = fields.get("idQualifier"), fields.get("identifier")
    if ident and qual == "XX":
        fields["npi"] = index["npi"] = ident
    elif ident and qual == "MI":
        fields["memberId"] = index["member_id"] = ident
    elif ident and qual in ("24", "34"):
        fields["tin"] = index["tin"] = ident
    if "tin" not in fields:
        for ref in fields.get("additionalIdentifiers", ()):
            if ref.get("qualifier") == "EI" and ref.get("identifier"):
                fields["tin"] = index["tin"] = ref["identifier"]
                break
    for ref in fields.get("additionalIdentifiers", ()):
        if ref.get("qualifier") == "6P" and ref.get("identifier"):
            fields["groupNumber"] = ref["identifier"]
            break
    return Record("party", key, parent, first, fields, index)


# writing --------------------------------------------------------------------------


def _nm1(fields: Mapping[str, Any]) -> list[Element]:
    etype = fields.get("entityType")
    qual, ident = fields.get("idQualifier"), fields.get("identifier")
    if not ident:
        for name, code in (("npi", "XX"), ("memberId", "MI"), ("tin", "24")):
            if fields.get(name):
                qual, ident = code, fields[name]
                break
    if not etype:
        etype = "organization" if fields.get("organizationName") else "person"
    return [
        entity_code(fields),
        _ENTITY_CODES.get(str(etype), str(etype)),
        fields.get("organizationName") or fields.get("lastName"),
        fields.get("firstName"),
        fields.get("middleName"),
        fields.get("prefix"),
        fields.get("suffix"),
        qual,
        ident,
    ]


def write_party(ts: TransactionBuilder, fields: Mapping[str, Any]) -> None:
    """The segments of one 2010 loop, NM1 first."""
    ts.add("NM1", *_nm1(fields))
    codes = list(fields.get("denialReasonCodes") or ())
    if codes:
        more: list[str] = []
        for code in codes[1:]:
            more += ["ZZ", str(code)]
        ts.add("REF", "ZZ", str(codes[0]), None, tuple(more) if more else None)
    for ref in fields.get("additionalIdentifiers") or ():
        add(ts, "REF", ref, REF)
    address = fields.get("address") or {}
    add(ts, "N3", address, ADDRESS_N3)
    add(ts, "N4", address, ADDRESS_N4)
    for contact in fields.get("contacts") or ():
        ts.add("PER", *_contact_values(contact))
    for rejection in fields.get("rejections") or ():
        add(ts, "AAA", rejection, AAA)
    if fields.get("providerCode") or fields.get("taxonomy"):
        add(
            ts,
            "PRV",
            {**fields, "taxonomyQualifier": fields.get("taxonomyQualifier") or "PXC"},
            PRV,
        )
    if fields.get("birthDate") or fields.get("gender"):
        ts.add(
            "DMG",
            "D8",
            _x12_date(fields["birthDate"]) if fields.get("birthDate") else None,
            fields.get("gender"),
        )
    add(ts, "INS", fields, INS)
    if fields.get("denialDate"):
        ts.add("DTP", "598", "D8", _x12_date(fields["denialDate"]))
    add_raw(ts, fields.get("extra"))
