"""2320/2330 other subscriber information (coordination of benefits): ``other_payer`` records.

Fields: SBR ``payerResponsibilityCode``, ``individualRelationshipCode``,
``groupNumber``, ``groupName``, ``insuranceTypeCode``,
``claimFilingIndicatorCode``; ``adjustments`` [{groupCode, reasonCode, amount,
quantity}] (CAS); ``payerPaidAmount``, ``nonCoveredChargeAmount``,
``remainingPatientLiability`` (AMT); OI ``benefitsAssignmentCertificationIndicator``,
``patientSignatureSourceCode``, ``releaseInformationCode``; ``subscriber``
(2330A) and ``payer`` (2330B, with ``claimCheckOrRemittanceDate`` and
``payerClaimControlNumber``) as party dicts; ``providers`` (2330C-I: the other
payer's identifiers of the claim's providers) as party dicts with a ``role``.

Index: amount (paid by the other payer), payer_claim_control_number (its claim number).
"""

from __future__ import annotations

from parsers.tree import Loop
from transactions.claims.codecs import Adjustments, P, Positional, Qualified
from transactions.claims.layout import Writing
from transactions.claims.party import NAME_CODECS, OTHER_PAYER_CODECS, name_node, read_fields
from transactions.claims.raw import (
    Codec,
    Ctx,
    Fields,
    Node,
    Reading,
    first_ordinal,
    keep_loop,
    put,
    read_loop,
    write_loop,
)
from transactions.records import Record

ENTITY = "other_payer"

SUBSCRIBER = Positional(
    "SBR",
    [
        P("payerResponsibilityCode", 1),
        P("individualRelationshipCode", 2),
        P("groupNumber", 3),
        P("groupName", 4),
        P("insuranceTypeCode", 5),
        P("claimFilingIndicatorCode", 9),
    ],
)
CODECS: tuple[Codec, ...] = (
    SUBSCRIBER,
    Adjustments(),
    Qualified(
        "AMT",
        {
            "D": "payerPaidAmount",
            "A8": "nonCoveredChargeAmount",
            "EAF": "remainingPatientLiability",
        },
        money=True,
    ),
    Positional(
        "OI",
        [
            P("benefitsAssignmentCertificationIndicator", 3),
            P("patientSignatureSourceCode", 4),
            P("releaseInformationCode", 6),
        ],
    ),
)


def read_other_payer(loop: Loop, reading: Reading, claim_key: str) -> Record:
    key = f"{claim_key}/{ENTITY}:{reading.next(f'{claim_key}/{ENTITY}')}"
    fields: Fields = {}
    read_loop(loop, CODECS, fields, reading.ctx())
    for child in loop.loops():
        if child.first("NM1") is None:
            keep_loop(fields, loop.id, child)
            continue
        party = read_fields(
            child, reading, OTHER_PAYER_CODECS if child.id == "2330B" else NAME_CODECS
        )
        if child.id == "2330A" and "subscriber" not in fields:
            fields["subscriber"] = party
        elif child.id == "2330B" and "payer" not in fields:
            fields["payer"] = party
        elif child.id not in ("2330A", "2330B"):
            fields.setdefault("providers", []).append(party)
        else:
            keep_loop(fields, loop.id, child)
    index: Fields = {}
    put(index, "amount", fields.get("payerPaidAmount"))
    put(index, "payer_claim_control_number", fields.get("payer", {}).get("payerClaimControlNumber"))
    return reading.add(Record(ENTITY, key, claim_key, first_ordinal(loop), fields, index))


def other_payer_node(writing: Writing, record: Record) -> Node:
    fields = writing.place(record).fields
    guide, lay = writing.guide, writing.lay
    node = Node("2320", write_loop(fields, CODECS, Ctx(guide), "2320"))
    for name, role, codecs in (
        ("subscriber", "subscriber", NAME_CODECS),
        ("payer", "payer", OTHER_PAYER_CODECS),
    ):
        party = fields.get(name)
        if isinstance(party, dict):
            node.items.append(name_node(lay, "2320", {"role": role, **party}, codecs, guide))
    for party in fields.get("providers") or []:
        node.items.append(name_node(lay, "2320", party, NAME_CODECS, guide))
    return node
