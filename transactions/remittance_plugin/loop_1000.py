"""Loops 1000A (payer) and 1000B (payee): N1, N3, N4, REF, PER, RDM.

One ``party`` record each, keys ``party:payer:1`` and ``party:payee:1``, children
of the payment.
"""

from __future__ import annotations

from typing import Any

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.records import Record
from transactions.remittance_plugin.common import (
    Fields,
    compact,
    put_extra,
    raw,
    read_address,
    read_contact,
    read_ref,
    write_address,
    write_contact,
    write_raw,
    write_refs,
)
from transactions.remittance_plugin.header import KEY as PAYMENT

#: loop ID -> (role, N101)
ROLES = {"1000A": ("payer", "PR"), "1000B": ("payee", "PE")}
N101 = dict(ROLES.values())


def read_party(loop: Loop) -> Record | None:
    role = ROLES[loop.id][0]
    n1 = loop.first("N1")
    if n1 is None:
        return None
    fields: Fields = {"role": role, "entityType": "organization"}
    fields["organizationName"] = n1.get(2)
    fields["idQualifier"] = n1.get(3)
    fields["identifier"] = n1.get(4)
    refs: list[Fields] = []
    contacts: list[Fields] = []
    extra: list[list[Any]] = []
    for seg in loop.segments():
        if seg is n1 or seg.tag in ("N3", "N4"):
            continue
        if seg.tag == "REF":
            refs.append(read_ref(seg))
        elif seg.tag == "PER":
            contacts.append(read_contact(seg))
        elif seg.tag == "RDM" and "remittanceDeliveryMethod" not in fields:
            fields["remittanceDeliveryMethod"] = compact(
                {"code": seg.get(1), "name": seg.get(2), "communicationNumber": seg.get(3)}
            )
        else:
            extra.append(raw(seg))
    fields["address"] = read_address(loop)
    fields["references"] = refs
    fields["contacts"] = contacts
    qualifier, ident = n1.get(3), n1.get(4)
    if qualifier == "XX" and ident:
        fields["npi"] = ident
    tin = (
        ident
        if qualifier == "FI"
        else next((r["value"] for r in refs if r["qualifier"] == "TJ"), "")
    )
    if tin:
        fields["tin"] = tin
    fields = compact(fields)
    put_extra(fields, extra)
    index: Fields = {k: fields[k] for k in ("npi", "tin") if k in fields}
    return Record("party", f"party:{role}:1", PAYMENT, n1.ordinal, fields, index)


def write_party(rec: Record, ts: TransactionBuilder) -> None:
    f = rec.fields
    code = N101.get(f.get("role", ""), f.get("entityIdentifierCode", ""))
    ts.add("N1", code, f.get("organizationName"), f.get("idQualifier"), f.get("identifier"))
    write_address(ts, f.get("address", {}))
    write_refs(ts, f.get("references", []))
    for contact in f.get("contacts", []):
        write_contact(ts, contact)
    rdm = f.get("remittanceDeliveryMethod")
    if rdm:
        ts.add("RDM", rdm.get("code"), rdm.get("name"), rdm.get("communicationNumber"))
    write_raw(ts, f.get("extra", []))
