"""The header and the hierarchy: BHT, 1000A/1000B, 2000A billing, 2000B subscriber, 2000C patient.

Records::

    transaction    BHT                                  key "transaction"
    party          1000A submitter / 1000B receiver     "party:submitter", "party:receiver"
    party          2000A + 2010AA billing provider      "party:billing:1"
    party          2010AB pay-to address / 2010AC plan  "party:billing:1/pay_to", ".../pay_to_plan"
    party          2000B + 2010BA subscriber            "party:subscriber:1" (parent: billing)
    party          2010BB payer                         "party:subscriber:1/payer"
    party          2000C + 2010CA patient (dependent)   "party:patient:1" (parent: subscriber)

A claim's parent is the subscriber when the subscriber is the patient (no
2000C), else the patient. ``transaction`` fields: ``hierarchicalStructureCode``,
``purposeCode``, ``referenceIdentification`` (BHT03), ``creationDate``,
``creationTime``, ``transactionTypeCode`` (CH, RP, 31). Subscriber fields add
SBR: ``payerResponsibilityCode``, ``individualRelationshipCode``,
``groupNumber``, ``groupName``, ``insuranceTypeCode``,
``claimFilingIndicatorCode``; subscriber and patient add PAT: ``deathDate``,
``weightUnitCode``, ``weight``, ``pregnancyIndicator`` (and the patient's
``individualRelationshipCode``); the billing provider adds ``taxonomy`` and
``currencyCode``.
"""

from __future__ import annotations

from parsers.tree import Loop
from transactions.claims import loop_2300
from transactions.claims.codecs import P, Positional, const
from transactions.claims.layout import Writing
from transactions.claims.loop_2320 import SUBSCRIBER
from transactions.claims.party import (
    CURRENCY,
    ENTITY,
    NAME_CODECS,
    Specialty,
    index_of,
    name_node,
    read_party,
)
from transactions.claims.raw import (
    Codec,
    Ctx,
    Fields,
    Node,
    Reading,
    first_ordinal,
    keep_loop,
    read_loop,
    write_loop,
)
from transactions.records import Record

HEADER = "transaction"
HEADER_CODECS: tuple[Codec, ...] = (
    Positional(
        "BHT",
        [
            P("hierarchicalStructureCode", 1),
            P("purposeCode", 2),
            P("referenceIdentification", 3),
            P("creationDate", 4, kind="date"),
            P("creationTime", 5, kind="time"),
            P("transactionTypeCode", 6),
        ],
    ),
)
_PATIENT = [
    const(5, "D8", when="deathDate"),
    P("deathDate", 6, kind="date"),
    P("weightUnitCode", 7),
    P("weight", 8, kind="money"),
    P("pregnancyIndicator", 9),
]
BILLING_CODECS: tuple[Codec, ...] = (Specialty(), CURRENCY)
SUBSCRIBER_CODECS: tuple[Codec, ...] = (SUBSCRIBER, Positional("PAT", _PATIENT))
PATIENT_CODECS: tuple[Codec, ...] = (
    Positional("PAT", [P("individualRelationshipCode", 1), *_PATIENT]),
)
LEVELS = {"2000A": "20", "2000B": "22", "2000C": "23"}


# reading -------------------------------------------------------------------------


def read_tree(root: Loop, reading: Reading) -> None:
    fields: Fields = {}
    read_loop(root, HEADER_CODECS, fields, reading.ctx())
    bht = root.first("BHT")
    header = reading.add(Record(HEADER, HEADER, None, bht.ordinal if bht else 0, fields))
    for loop in root.loops():
        if loop.id in ("1000A", "1000B"):
            role = "submitter" if loop.id == "1000A" else "receiver"
            read_party(loop, reading, f"party:{role}", None, NAME_CODECS)
        elif loop.id == "2000A":
            _read_billing(loop, reading)
        else:
            keep_loop(header.fields, root.id, loop)


def _level(loop: Loop, reading: Reading, role: str, key: str, parent: str | None) -> Record:
    codecs = {"billing": BILLING_CODECS, "subscriber": SUBSCRIBER_CODECS}.get(role, PATIENT_CODECS)
    fields: Fields = {"role": role}
    read_loop(loop, codecs, fields, reading.ctx(role))
    return reading.add(Record(ENTITY, key, parent, first_ordinal(loop), fields))


def _name(loop: Loop, reading: Reading, record: Record) -> None:
    read_loop(loop, NAME_CODECS, record.fields, reading.ctx(record.fields["role"]))
    record.index = index_of(record.fields)


def _read_billing(loop: Loop, reading: Reading) -> None:
    key = f"party:billing:{reading.next('billing')}"
    billing = _level(loop, reading, "billing", key, None)
    for child in loop.loops():
        if child.id == "2010AA":
            _name(child, reading, billing)
        elif child.id in ("2010AB", "2010AC"):
            role = "pay_to" if child.id == "2010AB" else "pay_to_plan"
            read_party(child, reading, f"{key}/{role}", key, NAME_CODECS)
        elif child.id == "2000B":
            _read_subscriber(child, reading, billing)
        else:
            keep_loop(billing.fields, loop.id, child)


def _read_subscriber(loop: Loop, reading: Reading, billing: Record) -> None:
    key = f"party:subscriber:{reading.next('subscriber')}"
    subscriber = _level(loop, reading, "subscriber", key, billing.key)
    for child in loop.loops():
        if child.id == "2010BA":
            _name(child, reading, subscriber)
        elif child.id == "2010BB":
            read_party(child, reading, f"{key}/payer", key, NAME_CODECS)
        elif child.id == "2300":
            loop_2300.read_claim(child, reading, subscriber, billing, subscriber)
        elif child.id == "2000C":
            _read_patient(child, reading, billing, subscriber)
        else:
            keep_loop(subscriber.fields, loop.id, child)


def _read_patient(loop: Loop, reading: Reading, billing: Record, subscriber: Record) -> None:
    key = f"party:patient:{reading.next('patient')}"
    patient = _level(loop, reading, "patient", key, subscriber.key)
    for child in loop.loops():
        if child.id == "2010CA":
            _name(child, reading, patient)
        elif child.id == "2300":
            loop_2300.read_claim(child, reading, patient, billing, subscriber)
        else:
            keep_loop(patient.fields, loop.id, child)


# writing -------------------------------------------------------------------------


def tree_node(writing: Writing) -> Node:
    lay, guide = writing.lay, writing.guide
    root = Node(lay.root.id)
    headers = writing.children(None, HEADER)
    if not headers:
        raise ValueError("an 837 needs its transaction record (BHT)")
    writing.place(headers[0])
    root.items += write_loop(headers[0].fields, HEADER_CODECS, Ctx(guide), root.loop)
    for record in writing.children(None, ENTITY):
        role = record.fields.get("role")
        if role in ("submitter", "receiver"):
            writing.place(record)
            root.items.append(name_node(lay, root.loop, record.fields, NAME_CODECS, guide))
        elif role == "billing":
            root.items.append(_level_node(writing, record, "2000A", "2010AA"))
    return root


def _level_node(writing: Writing, record: Record, loop_id: str, name_loop: str) -> Node:
    fields = writing.place(record).fields
    role = str(fields.get("role", ""))
    ctx = Ctx(writing.guide, role)
    codecs = {"2000A": BILLING_CODECS, "2000B": SUBSCRIBER_CODECS}.get(loop_id, PATIENT_CODECS)
    node = Node(loop_id, write_loop(fields, codecs, ctx, loop_id), hl=LEVELS[loop_id])
    node.items.append(Node(name_loop, write_loop(fields, NAME_CODECS, ctx, name_loop)))
    for kid in writing.children(record.key):
        kid_role = kid.fields.get("role")
        if kid.entity == "claim":
            node.items.append(loop_2300.claim_node(writing, kid))
        elif kid.entity != ENTITY:
            continue
        elif kid_role == "subscriber":
            node.items.append(_level_node(writing, kid, "2000B", "2010BA"))
        elif kid_role == "patient":
            node.items.append(_level_node(writing, kid, "2000C", "2010CA"))
        else:
            writing.place(kid)
            node.items.append(
                name_node(writing.lay, loop_id, kid.fields, NAME_CODECS, writing.guide)
            )
    return node
