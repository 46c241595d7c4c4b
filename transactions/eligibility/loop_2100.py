"""The name loops (2100A-2100D, 2120C/2120D): NM1 and what follows it, as ``party`` fields.

Modelled: NM1 (names, ID, NM110 relationship), REF (``additionalIdentifiers``),
N3/N4 (``address``), PER (``contacts``), AAA (``rejections``), PRV
(``providerInformation``), DMG (``birthDate``, ``gender``), INS (relationship,
maintenance, birth sequence), HI (``healthCareDiagnosisCodes``), DTP
(``dates``), MPI (``militaryPersonnelInformation``). Derived: ``npi``, ``tin``,
``memberId``, ``payerId``, ``taxonomy``, ``groupNumber`` ... (see
:mod:`transactions.eligibility.common`).
"""

from __future__ import annotations

from typing import Any

from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.eligibility.common import (
    Fields,
    date_from_x12,
    date_to_x12,
    period_from_x12,
    period_to_x12,
    put,
    put_extra,
    raw,
    set_if,
    text,
)
from transactions.eligibility.segments import (
    read_dates,
    read_references,
    read_rejections,
    write_dates,
    write_references,
    write_rejections,
)

ENTITY_TYPES = {"1": "person", "2": "organization"}
ENTITY_TYPE_CODES = {v: k for k, v in ENTITY_TYPES.items()}

#: segments that occur once in a name loop; a second one is kept raw in ``extra``
_SINGLE = frozenset({"NM1", "N3", "N4", "PRV", "DMG", "INS", "HI", "MPI"})
_LISTED = frozenset({"REF", "PER", "AAA", "DTP"})

#: PER communication qualifiers to the derived contact field names
_COMMUNICATIONS = {"TE": "phone", "EX": "extension", "FX": "fax", "EM": "email", "UR": "url"}


def read_name_loop(loop: Loop, fields: Fields) -> None:
    """Every segment of a 2100/2120 loop into ``fields``."""
    by_tag: dict[str, list[Segment]] = {}
    extra: list[list[Any]] = []
    for seg in loop.segments():
        tag = seg.elements[0]
        if (tag in _SINGLE and tag not in by_tag) or tag in _LISTED:
            by_tag.setdefault(tag, []).append(seg)
        else:
            extra.append(raw(seg))
    for seg in by_tag.get("NM1", []):
        _read_nm1(seg, fields)
    read_references(by_tag.get("REF", []), fields)
    _read_address(by_tag.get("N3", []), by_tag.get("N4", []), fields)
    set_if(fields, "contacts", [_read_per(seg) for seg in by_tag.get("PER", [])])
    set_if(fields, "rejections", read_rejections(by_tag.get("AAA", [])))
    for seg in by_tag.get("PRV", []):
        _read_prv(seg, fields)
    for seg in by_tag.get("DMG", []):
        _read_dmg(seg, fields)
    for seg in by_tag.get("INS", []):
        _read_ins(seg, fields)
    for seg in by_tag.get("HI", []):
        _read_hi(seg, fields)
    read_dates(by_tag.get("DTP", []), fields)
    for seg in by_tag.get("MPI", []):
        _read_mpi(seg, fields)
    set_if(fields, "extra", extra)


def write_name_loop(ts: TransactionBuilder, fields: Fields) -> None:
    """The segments of a 2100/2120 loop, in the order every one of those loops allows."""
    _write_nm1(ts, fields)
    write_references(ts, fields)
    _write_address(ts, fields.get("address", {}))
    for contact in fields.get("contacts", []):
        _write_per(ts, contact)
    write_rejections(ts, fields.get("rejections", []))
    _write_prv(ts, fields.get("providerInformation"))
    _write_dmg(ts, fields)
    _write_ins(ts, fields)
    _write_hi(ts, fields.get("healthCareDiagnosisCodes", []))
    write_dates(ts, fields)
    _write_mpi(ts, fields.get("militaryPersonnelInformation"))
    put_extra(ts, fields)


# NM1 -------------------------------------------------------------------------------


def _read_nm1(seg: Segment, fields: Fields) -> None:
    set_if(fields, "entityIdentifierCode", text(seg, 1))
    kind = seg.get(2)
    set_if(fields, "entityType", ENTITY_TYPES.get(kind, kind))
    set_if(fields, "organizationName" if kind == "2" else "lastName", text(seg, 3))
    set_if(fields, "firstName", text(seg, 4))
    set_if(fields, "middleName", text(seg, 5))
    set_if(fields, "namePrefix", text(seg, 6))
    set_if(fields, "suffix", text(seg, 7))
    qualifier, identifier = text(seg, 8), text(seg, 9)
    set_if(fields, "idQualifier", qualifier)
    set_if(fields, "identifier", identifier)
    set_if(fields, "entityRelationshipCode", text(seg, 10))
    derived = {"XX": "npi", "MI": "memberId", "FI": "tin", "24": "tin", "PI": "payerId"}
    if qualifier in derived:
        set_if(fields, derived[qualifier], identifier)


def _write_nm1(ts: TransactionBuilder, fields: Fields) -> None:
    kind = fields.get("entityType")
    qualifier, identifier = fields.get("idQualifier"), fields.get("identifier")
    if identifier is None:  # records built by hand may give only the convenient field
        for q, name in (("XX", "npi"), ("MI", "memberId"), ("PI", "payerId"), ("FI", "tin")):
            if fields.get(name):
                qualifier, identifier = q, fields[name]
                break
    put(
        ts,
        "NM1",
        fields.get("entityIdentifierCode"),
        ENTITY_TYPE_CODES.get(kind, kind) if kind else None,
        fields.get("organizationName") or fields.get("lastName"),
        fields.get("firstName"),
        fields.get("middleName"),
        fields.get("namePrefix"),
        fields.get("suffix"),
        qualifier,
        identifier,
        fields.get("entityRelationshipCode"),
    )


# N3/N4 -----------------------------------------------------------------------------

_N4 = ("city", "state", "postalCode", "country", "locationQualifier", "locationIdentifier")


def _read_address(n3: list[Segment], n4: list[Segment], fields: Fields) -> None:
    address: Fields = {}
    for seg in n3:
        set_if(address, "line1", text(seg, 1))
        set_if(address, "line2", text(seg, 2))
    for seg in n4:
        for i, name in enumerate(_N4, start=1):
            set_if(address, name, text(seg, i))
        set_if(address, "countrySubdivision", text(seg, 7))
    set_if(fields, "address", address)


def _write_address(ts: TransactionBuilder, address: Fields) -> None:
    if address.get("line1") or address.get("line2"):
        put(ts, "N3", address.get("line1"), address.get("line2"))
    n4 = [address.get(name) for name in (*_N4, "countrySubdivision")]
    if any(n4):
        put(ts, "N4", *n4)


# PER -------------------------------------------------------------------------------


def _read_per(seg: Segment) -> Fields:
    contact: Fields = {}
    set_if(contact, "functionCode", text(seg, 1))
    set_if(contact, "name", text(seg, 2))
    communications: list[Fields] = []
    for pos in (3, 5, 7):
        item: Fields = {}
        set_if(item, "qualifier", text(seg, pos))
        set_if(item, "number", text(seg, pos + 1))
        if item:
            communications.append(item)
            name = _COMMUNICATIONS.get(item.get("qualifier", ""))
            if name and name not in contact:
                set_if(contact, name, item.get("number"))
    set_if(contact, "communications", communications)
    return contact


def _write_per(ts: TransactionBuilder, contact: Fields) -> None:
    values: list[str | None] = [contact.get("functionCode"), contact.get("name")]
    for item in contact.get("communications", [])[:3]:
        values += [item.get("qualifier"), item.get("number")]
    put(ts, "PER", *values)


# PRV, DMG, INS ---------------------------------------------------------------------------


def _read_prv(seg: Segment, fields: Fields) -> None:
    info: Fields = {}
    set_if(info, "providerCode", text(seg, 1))
    set_if(info, "qualifier", text(seg, 2))
    set_if(info, "identifier", text(seg, 3))
    set_if(fields, "providerInformation", info)
    if info.get("qualifier") == "PXC":
        set_if(fields, "taxonomy", info.get("identifier"))


def _write_prv(ts: TransactionBuilder, info: Fields | None) -> None:
    if info:
        put(ts, "PRV", info.get("providerCode"), info.get("qualifier"), info.get("identifier"))


def _read_dmg(seg: Segment, fields: Fields) -> None:
    fmt = text(seg, 1)
    if fmt is not None and (fmt != "D8" or not seg.get(2)):
        fields["birthDateFormat"] = fmt  # kept only when it is not the usual D8 + date
    set_if(fields, "birthDate", date_from_x12(text(seg, 2)))
    set_if(fields, "gender", text(seg, 3))


def _write_dmg(ts: TransactionBuilder, fields: Fields) -> None:
    birth, gender = fields.get("birthDate"), fields.get("gender")
    fmt = fields.get("birthDateFormat") or ("D8" if birth else None)
    if fmt or gender:
        put(ts, "DMG", fmt, date_to_x12(birth), gender)


_INS = {
    1: "insuredIndicator",
    2: "relationshipCode",
    3: "maintenanceTypeCode",
    4: "maintenanceReasonCode",
    17: "birthSequenceNumber",
}


def _read_ins(seg: Segment, fields: Fields) -> None:
    for pos, name in _INS.items():
        set_if(fields, name, text(seg, pos))


def _write_ins(ts: TransactionBuilder, fields: Fields) -> None:
    if not any(fields.get(name) for name in _INS.values()):
        return
    put(ts, "INS", *(fields.get(_INS[pos]) if pos in _INS else None for pos in range(1, 18)))


# HI --------------------------------------------------------------------------------


def _read_hi(seg: Segment, fields: Fields) -> None:
    codes: list[Fields] = []
    for pos in range(1, 9):
        parts = seg.components(pos)
        if not parts:
            continue
        item: Fields = {}
        set_if(item, "qualifier", parts[0])
        set_if(item, "code", parts[1] if len(parts) > 1 else None)
        if len(parts) > 2:
            item["components"] = parts[2:]
        codes.append(item)
    set_if(fields, "healthCareDiagnosisCodes", codes)


def _write_hi(ts: TransactionBuilder, codes: list[Fields]) -> None:
    if codes:
        put(
            ts,
            "HI",
            *(
                (c.get("qualifier", ""), c.get("code", ""), *c.get("components", []))
                for c in codes[:8]
            ),
        )


# MPI -------------------------------------------------------------------------------

_MPI = (
    "informationStatusCode",
    "employmentStatusCode",
    "governmentServiceAffiliationCode",
    "description",
    "militaryServiceRankCode",
)


def _read_mpi(seg: Segment, fields: Fields) -> None:
    info: Fields = {}
    for i, name in enumerate(_MPI, start=1):
        set_if(info, name, text(seg, i))
    if seg.get(6) or seg.get(7):
        info.update(period_from_x12(text(seg, 6), text(seg, 7)))
    set_if(fields, "militaryPersonnelInformation", info)


def _write_mpi(ts: TransactionBuilder, info: Fields | None) -> None:
    if not info:
        return
    fmt, value = period_to_x12(info)
    put(ts, "MPI", *(info.get(name) for name in _MPI), fmt, value)


# index ---------------------------------------------------------------------------------


def person_index(fields: Fields) -> dict[str, Any]:
    member_id = fields.get("memberId")
    if not member_id:
        member_id = next(
            (
                r.get("identifier")
                for r in fields.get("additionalIdentifiers", [])
                if r.get("qualifier") == "1W"
            ),
            None,
        )
    plan = fields.get("dateInformation", {}).get("plan")
    service_date = plan.get("startDate") if isinstance(plan, dict) else plan
    return {
        "member_id": member_id,
        "npi": fields.get("npi"),
        "tin": fields.get("tin"),
        "service_date": service_date if _is_iso(service_date) else None,
    }


def _is_iso(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-"
