"""2400 service lines: ``service_line`` records, 2410 drug data, 2420 providers, 2430 adjudication.

Fields: ``lineNumber`` (LX); ``procedureQualifier``, ``procedureCode``,
``procedureModifiers`` [..], ``description``, ``chargeAmount``, ``unitCode``,
``units``, ``placeOfServiceCode``, ``diagnosisPointers`` [1, 2 ..] (SV1, SV3),
``emergencyIndicator``, ``epsdtIndicator``, ``familyPlanningIndicator``,
``copayStatusCode`` (SV1); ``revenueCode``, ``unitRate``,
``nonCoveredChargeAmount`` (SV2); ``oralCavityDesignationCodes`` [..],
``prosthesisCrownOrInlayCode`` (SV3) and ``toothInformation`` [{toothNumber,
toothSurfaces}] (TOO); ``serviceDate``/``serviceDateEnd`` and the other line
dates; ``lineItemControlNumber`` (REF*6R) and the other line REFs;
``salesTaxAmount``, ``postageClaimedAmount``, ``serviceTaxAmount``,
``facilityTaxAmount`` (AMT); ``attachments``, ``contractInformation``,
``fileInformation``, ``notes``, ``repricing``; ``drugIdentification``
{serviceIdQualifier, nationalDrugCode, nationalDrugUnitCount,
measurementUnitCode, linkSequenceNumber, pharmacyPrescriptionNumber} (2410).

Index: code (the procedure code, else the revenue code), amount (charge), service_date.
"""

from __future__ import annotations

from parsers.tree import Loop
from transactions.claims import loop_2430
from transactions.claims.codecs import Dates, P, Positional, Qualified, const
from transactions.claims.layout import Writing
from transactions.claims.party import PROVIDER_CODECS, name_node, read_party, role_of
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
    unique_key,
    write_loop,
)
from transactions.claims.shared import (
    ATTACHMENTS,
    CONTRACT,
    FILE_INFORMATION,
    NOTES,
    REPRICING,
)
from transactions.records import Record

ENTITY = "service_line"
DRUG = "drugIdentification"


def _procedure(pos: int) -> list[P]:
    return [
        P("procedureQualifier", pos, 1),
        P("procedureCode", pos, 2),
        P("procedureModifiers", pos, 3, kind="list", last=6),
        P("description", pos, 7),
    ]


LINE_NUMBER = Positional("LX", [P("lineNumber", 1, kind="int")])
PROFESSIONAL = Positional(
    "SV1",
    [
        *_procedure(1),
        P("chargeAmount", 2, kind="money"),
        P("unitCode", 3),
        P("units", 4, kind="money"),
        P("placeOfServiceCode", 5),
        P("diagnosisPointers", 7, 1, kind="ints", last=4),
        P("emergencyIndicator", 9),
        P("epsdtIndicator", 11),
        P("familyPlanningIndicator", 12),
        P("copayStatusCode", 15),
    ],
)
INSTITUTIONAL = Positional(
    "SV2",
    [
        P("revenueCode", 1),
        *_procedure(2),
        P("chargeAmount", 3, kind="money"),
        P("unitCode", 4),
        P("units", 5, kind="money"),
        P("unitRate", 6, kind="money"),
        P("nonCoveredChargeAmount", 7, kind="money"),
    ],
)
DENTAL = Positional(
    "SV3",
    [
        *_procedure(1),
        P("chargeAmount", 2, kind="money"),
        P("placeOfServiceCode", 3),
        P("oralCavityDesignationCodes", 4, 1, kind="list", last=5),
        P("prosthesisCrownOrInlayCode", 5),
        P("units", 6, kind="money"),
        P("diagnosisPointers", 11, 1, kind="ints", last=4),
    ],
)
TEETH = Positional(
    "TOO",
    [const(1, "JP"), P("toothNumber", 2), P("toothSurfaces", 3, 1, kind="list", last=5)],
    key="toothInformation",
    many=True,
)
REFERENCES = Qualified(
    "REF",
    {
        "9B": "repricedLineItemReferenceNumber",
        "9D": "adjustedRepricedLineItemReferenceNumber",
        "G1": "priorAuthorizationNumbers",
        "6R": "lineItemControlNumber",
        "EW": "mammographyCertificationNumber",
        "X4": "cliaNumber",
        "F4": "referringCliaNumber",
        "BT": "immunizationBatchNumber",
        "9F": "referralNumbers",
        "G3": "predeterminationOfBenefitsIdentifier",
    },
    many=frozenset({"G1", "9F"}),
)
AMOUNTS = Qualified(
    "AMT",
    {
        "T": "salesTaxAmount",
        "F4": "postageClaimedAmount",
        "GT": "serviceTaxAmount",
        "N8": "facilityTaxAmount",
    },
    money=True,
)
_COMMON: tuple[Codec, ...] = (
    ATTACHMENTS,
    REFERENCES,
    AMOUNTS,
    FILE_INFORMATION,
    NOTES,
    REPRICING,
    CONTRACT,
)
CODECS: dict[str, tuple[Codec, ...]] = {
    "837P": (
        LINE_NUMBER,
        PROFESSIONAL,
        Dates(
            {
                "472": "serviceDate",
                "471": "prescriptionDate",
                "607": "certificationRevisionDate",
                "463": "beginTherapyDate",
                "461": "lastCertificationDate",
                "304": "lastSeenDate",
                "738": "hemoglobinHematocritTestDate",
                "739": "serumCreatinineTestDate",
                "011": "shippedDate",
                "455": "lastXRayDate",
                "454": "initialTreatmentDate",
            }
        ),
        *_COMMON,
    ),
    "837I": (LINE_NUMBER, INSTITUTIONAL, Dates({"472": "serviceDate"}), *_COMMON),
    "837D": (
        LINE_NUMBER,
        DENTAL,
        TEETH,
        Dates(
            {
                "472": "serviceDate",
                "441": "priorPlacementDate",
                "452": "appliancePlacementDate",
                "446": "replacementDate",
                "196": "treatmentStartDate",
                "198": "treatmentCompletionDate",
            }
        ),
        *_COMMON,
    ),
}
DRUG_CODECS: tuple[Codec, ...] = (
    Positional("LIN", [P("serviceIdQualifier", 2), P("nationalDrugCode", 3)]),
    Positional(
        "CTP", [P("nationalDrugUnitCount", 4, kind="money"), P("measurementUnitCode", 5, 1)]
    ),
    Qualified("REF", {"VY": "linkSequenceNumber", "XZ": "pharmacyPrescriptionNumber"}),
)


def read_line(loop: Loop, reading: Reading, claim_key: str) -> Record:
    key = f"{claim_key}/line:{reading.next(f'{claim_key}/line')}"
    fields: Fields = {}
    ctx = reading.ctx()
    read_loop(loop, CODECS.get(reading.guide, CODECS["837P"]), fields, ctx)
    line = reading.add(Record(ENTITY, key, claim_key, first_ordinal(loop), fields))
    taken: set[str] = set()
    for child in loop.loops():
        if child.id == "2410" and DRUG not in fields:
            drug: Fields = {}
            read_loop(child, DRUG_CODECS, drug, ctx)
            fields[DRUG] = drug
        elif child.id.startswith("2420") and (nm1 := child.first("NM1")) is not None:
            party_key = unique_key(taken, f"{key}/party:{role_of(nm1.get(1))}")
            read_party(child, reading, party_key, key, PROVIDER_CODECS)
        elif child.id == "2430":
            loop_2430.read_adjudication(child, reading, key)
        else:
            keep_loop(fields, loop.id, child)
    index: Fields = {}
    put(index, "code", fields.get("procedureCode") or fields.get("revenueCode"))
    put(index, "amount", fields.get("chargeAmount"))
    put(index, "service_date", fields.get("serviceDate"))
    line.index = index
    return line


def line_node(writing: Writing, line: Record) -> Node:
    fields = writing.place(line).fields
    ctx = Ctx(writing.guide)
    codecs = CODECS.get(writing.guide, CODECS["837P"])
    node = Node("2400", write_loop(fields, codecs, ctx, "2400"))
    drug = fields.get(DRUG)
    if isinstance(drug, dict):
        node.items.append(Node("2410", write_loop(drug, DRUG_CODECS, ctx, "2410")))
    for kid in writing.children(line.key):
        if kid.entity == "party":
            writing.place(kid)
            node.items.append(
                name_node(writing.lay, "2400", kid.fields, PROVIDER_CODECS, writing.guide)
            )
        elif kid.entity == loop_2430.ENTITY:
            node.items.append(loop_2430.adjudication_node(writing, kid))
    return node
