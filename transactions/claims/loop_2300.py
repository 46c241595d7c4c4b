"""2300 claim information: the ``claim`` record, its ``diagnosis`` records and 2310 providers.

Claim fields: CLM ``patientControlNumber``, ``claimChargeAmount``,
``placeOfServiceCode`` (837P/D) or ``facilityTypeCode`` (837I, with the derived
``typeOfBill``), ``claimFrequencyCode``, ``signatureIndicator``,
``planParticipationCode``, ``benefitsAssignmentCertificationIndicator``,
``releaseInformationCode``, ``patientSignatureSourceCode``,
``relatedCausesCode`` [..], ``autoAccidentStateCode``,
``autoAccidentCountryCode``, ``specialProgramCode``,
``predeterminationOfBenefitsCode``, ``delayReasonCode``; dates (``onsetDate``,
``accidentDate``, ``admissionDate``, ``dischargeDate``/``dischargeHour``,
``statementFromDate``/``statementToDate``, ``serviceDate`` ...); REF numbers
(``priorAuthorizationNumber``, ``referralNumber``, ``payerClaimControlNumber``,
``medicalRecordNumber`` ...); ``attachments`` (PWK), ``contractInformation``
(CN1), ``patientAmountPaid``/``patientEstimatedAmountDue`` (AMT),
``fileInformation`` (K3), ``notes`` (NTE), ``repricing`` (HCP); 837I
``admissionTypeCode``, ``admissionSourceCode``, ``patientStatusCode`` (CL1) and
the HI code lists (see :mod:`hi`); 837D ``orthodontic*`` (DN1) and
``toothStatus`` [{toothNumber, statusCode}] (DN2).

Index: patient_control_number, amount (charge), service_date (the earliest of
the statement, claim and line dates), member_id (the subscriber's), npi and tin
(the billing provider's), payer_claim_control_number (REF*F8).
"""

from __future__ import annotations

from parsers.tree import Loop
from transactions.claims import loop_2320, loop_2400
from transactions.claims.codecs import Dates, P, Positional, Qualified, const
from transactions.claims.hi import DIAGNOSES, HealthCodes
from transactions.claims.layout import Writing
from transactions.claims.party import PROVIDER_CODECS, index_of, name_node, read_party, role_of
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
    to_raw,
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

ENTITY = "claim"
DIAGNOSIS = "diagnosis"
DIAGNOSIS_FIELDS = ("qualifier", "code", "presentOnAdmissionIndicator")


def _clm(location: str, qualifier: str, unused: frozenset[int] = frozenset()) -> Positional:
    """CLM; ``unused`` positions the guide does not use (837I: no CLM11 auto accident state)."""
    fields = [
        P("patientControlNumber", 1),
        P("claimChargeAmount", 2, kind="money"),
        P(location, 5, 1),
        const(5, qualifier, 2),
        P("claimFrequencyCode", 5, 3),
        P("signatureIndicator", 6),
        P("planParticipationCode", 7),
        P("benefitsAssignmentCertificationIndicator", 8),
        P("releaseInformationCode", 9),
        P("patientSignatureSourceCode", 10),
        P("relatedCausesCode", 11, 1, kind="list", last=3),
        P("autoAccidentStateCode", 11, 4),
        P("autoAccidentCountryCode", 11, 5),
        P("specialProgramCode", 12),
        P("predeterminationOfBenefitsCode", 19),
        P("delayReasonCode", 20),
    ]
    return Positional("CLM", [p for p in fields if p.pos not in unused])


_REFS = {
    "4N": "serviceAuthorizationExceptionCode",
    "F5": "medicareCrossoverIndicator",
    "EW": "mammographyCertificationNumber",
    "9F": "referralNumber",
    "G1": "priorAuthorizationNumber",
    "F8": "payerClaimControlNumber",
    "X4": "cliaNumber",
    "9A": "repricedClaimNumber",
    "9C": "adjustedRepricedClaimNumber",
    "LX": "investigationalDeviceExemptionNumbers",
    "D9": "claimIdentifierForTransmissionIntermediaries",
    "EA": "medicalRecordNumber",
    "P4": "demonstrationProjectIdentifier",
    "1J": "carePlanOversightNumber",
    "G4": "peerReviewOrganizationApprovalNumber",
    "G3": "predeterminationIdentification",
}
_AMOUNTS = Qualified(
    "AMT", {"F5": "patientAmountPaid", "F3": "patientEstimatedAmountDue"}, money=True
)
_COMMON: tuple[Codec, ...] = (ATTACHMENTS, CONTRACT, _AMOUNTS, FILE_INFORMATION, NOTES, REPRICING)

CODECS: dict[str, tuple[Codec, ...]] = {
    "837P": (
        _clm("placeOfServiceCode", "B"),
        Dates(
            {
                "431": "onsetDate",
                "454": "initialTreatmentDate",
                "304": "lastSeenDate",
                "453": "acuteManifestationDate",
                "439": "accidentDate",
                "484": "lastMenstrualPeriodDate",
                "455": "lastXRayDate",
                "471": "hearingAndVisionPrescriptionDate",
                "314": ("disabilityFromDate", "disabilityToDate"),
                "360": "disabilityBeginDate",
                "361": "disabilityEndDate",
                "297": "lastWorkedDate",
                "296": "authorizedReturnToWorkDate",
                "435": "admissionDate",
                "096": "dischargeDate",
                "090": "assumedCareDate",
                "091": "relinquishedCareDate",
                "444": "firstContactDate",
                "050": "repricerReceivedDate",
            }
        ),
        Qualified("REF", _REFS, many=frozenset({"LX"})),
        HealthCodes("837P"),
        *_COMMON,
    ),
    "837I": (
        _clm("facilityTypeCode", "A", frozenset({11})),
        Dates(
            {
                "096": "dischargeHour",
                "434": ("statementFromDate", "statementToDate"),
                "435": "admissionDate",
                "050": "repricerReceivedDate",
            }
        ),
        Positional(
            "CL1",
            [P("admissionTypeCode", 1), P("admissionSourceCode", 2), P("patientStatusCode", 3)],
        ),
        Qualified("REF", {**_REFS, "LU": "autoAccidentStateCode"}, many=frozenset({"LX"})),
        HealthCodes("837I"),
        *_COMMON,
    ),
    "837D": (
        _clm("placeOfServiceCode", "B"),
        Dates(
            {
                "439": "accidentDate",
                "452": "appliancePlacementDates",
                "472": "serviceDate",
                "050": "repricerReceivedDate",
            },
            many=frozenset({"452"}),
        ),
        Positional(
            "DN1",
            [
                P("orthodonticTreatmentMonthsCount", 1, kind="money"),
                P("orthodonticTreatmentMonthsRemainingCount", 2, kind="money"),
                P("orthodonticTreatmentIndicator", 3),
                P("orthodonticTreatmentDescription", 4),
            ],
        ),
        Positional(
            "DN2",
            [P("toothNumber", 1), P("statusCode", 2), const(6, "JP")],
            key="toothStatus",
            many=True,
        ),
        Qualified("REF", _REFS, many=frozenset({"LX"})),
        HealthCodes("837D"),
        *_COMMON,
    ),
}


def codecs_for(guide: str) -> tuple[Codec, ...]:
    return CODECS.get(guide, CODECS["837P"])


# reading -------------------------------------------------------------------------


def read_claim(
    loop: Loop, reading: Reading, parent: Record, billing: Record, subscriber: Record
) -> Record:
    key = f"{ENTITY}:{reading.next(ENTITY)}"
    fields: Fields = {}
    read_loop(loop, codecs_for(reading.guide), fields, reading.ctx())
    diagnoses = fields.pop(DIAGNOSES, [])
    if reading.guide == "837I" and fields.get("facilityTypeCode"):
        fields["typeOfBill"] = f"{fields['facilityTypeCode']}{fields.get('claimFrequencyCode', '')}"
    claim = reading.add(Record(ENTITY, key, parent.key, first_ordinal(loop), fields))
    _read_diagnoses(loop, reading, claim, diagnoses)
    dates = [fields.get("statementFromDate"), fields.get("serviceDate")]
    taken: set[str] = set()
    for child in loop.loops():
        if child.id == "2320":
            loop_2320.read_other_payer(child, reading, key)
        elif child.id == "2400":
            dates.append(loop_2400.read_line(child, reading, key).index.get("service_date"))
        elif child.id.startswith("2310") and (nm1 := child.first("NM1")) is not None:
            party_key = unique_key(taken, f"{key}/party:{role_of(nm1.get(1))}")
            read_party(child, reading, party_key, key, PROVIDER_CODECS)
        else:
            keep_loop(fields, loop.id, child)
    index: Fields = {}
    put(index, "patient_control_number", fields.get("patientControlNumber"))
    put(index, "amount", fields.get("claimChargeAmount"))
    put(index, "service_date", min((str(d) for d in dates if d), default=None))
    put(index, "member_id", subscriber.fields.get("memberId"))
    billing_index = index_of(billing.fields)
    put(index, "npi", billing_index.get("npi"))
    put(index, "tin", billing_index.get("tin"))
    put(index, "payer_claim_control_number", fields.get("payerClaimControlNumber"))
    claim.index = index
    return claim


def _read_diagnoses(loop: Loop, reading: Reading, claim: Record, diagnoses: list[Fields]) -> None:
    """One ``diagnosis`` record per code, numbered as the HI segments list them.

    ``position`` is the code's place in the claim (``pointer``, in 837P/D, the
    number the service lines' diagnosis pointers use).
    """
    codec = HealthCodes(reading.guide)
    ordinals = []
    for seg in loop.segments("HI"):
        raw = to_raw(seg)
        frag = codec.read(raw)
        if frag is not None and DIAGNOSES in frag:
            ordinals += [seg.ordinal] * len(frag[DIAGNOSES])
    if len(ordinals) != len(diagnoses):
        ordinals = [claim.ordinal] * len(diagnoses)
    for n, (item, ordinal) in enumerate(zip(diagnoses, ordinals, strict=True), 1):
        fields = {**item, "position": n}
        if reading.guide != "837I":
            fields["pointer"] = n
        reading.add(
            Record(
                DIAGNOSIS,
                f"{claim.key}/{DIAGNOSIS}:{n}",
                claim.key,
                ordinal,
                fields,
                {"code": item.get("code")},
            )
        )


# writing -------------------------------------------------------------------------


def claim_node(writing: Writing, claim: Record) -> Node:
    fields = dict(writing.place(claim).fields)
    diagnoses = sorted(
        writing.children(claim.key, DIAGNOSIS), key=lambda r: int(r.fields.get("position") or 0)
    )
    for record in diagnoses:
        writing.place(record)
    if diagnoses:
        fields[DIAGNOSES] = [
            {k: r.fields[k] for k in DIAGNOSIS_FIELDS if r.fields.get(k) not in (None, "")}
            for r in diagnoses
        ]
    ctx = Ctx(writing.guide)
    node = Node("2300", write_loop(fields, codecs_for(writing.guide), ctx, "2300"))
    for kid in writing.children(claim.key):
        if kid.entity == "party":
            writing.place(kid)
            node.items.append(
                name_node(writing.lay, "2300", kid.fields, PROVIDER_CODECS, writing.guide)
            )
        elif kid.entity == loop_2320.ENTITY:
            node.items.append(loop_2320.other_payer_node(writing, kid))
        elif kid.entity == loop_2400.ENTITY:
            node.items.append(loop_2400.line_node(writing, kid))
    return node
