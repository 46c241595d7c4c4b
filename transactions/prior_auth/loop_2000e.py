"""2000E/2010E*: the patient event under review (a ``review`` record) and its parties.

2010EA are the event's providers (attending, admitting, referring ...); in a
request 2010EB is an ambulance transport location and 2010EC another UMO that
denied the request; in a response 2010EB is where to send additional
information and 2010EC the transport location. The party's NM101 tells them
apart, so the records do not depend on the loop IDs.
"""

from __future__ import annotations

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.prior_auth.context import ReadContext, WriteContext
from transactions.prior_auth.level import read_common, write_head, write_parties, write_tail
from transactions.prior_auth.loop_2000f import read_2000f, write_2000f
from transactions.prior_auth.party import nested_role
from transactions.prior_auth.segments import (
    HSD,
    F,
    Fields,
    add,
    first_trace,
    index_date,
    raw,
    read_hi,
    take,
    write_hi,
)
from transactions.records import Record

#: DTP01 of 2000E -> field (a range adds ``<field>End``), in the guide's order
DATES = {
    "439": "accidentDate",
    "484": "lastMenstrualPeriodDate",
    "ABC": "estimatedBirthDate",
    "431": "onsetDate",
    "AAH": "eventDate",
    "435": "admissionDate",
    "096": "dischargeDate",
    "102": "certificationIssueDate",
    "036": "certificationExpirationDate",
    "007": "certificationEffectiveDate",
}

CRC = (
    F("codeCategory", 1),
    F("certificationConditionIndicator", 2),
    F("conditionCodes", 3, kind="list", count=5),
)
CL1 = (
    F("admissionTypeCode", 1),
    F("admissionSourceCode", 2),
    F("patientStatusCode", 3),
    F("nursingHomeResidentialStatusCode", 4),
)
CR1 = (
    F("weightUnitCode", 1),
    F("patientWeight", 2, kind="decimal"),
    F("ambulanceTransportCode", 3),
    F("ambulanceTransportReasonCode", 4),
    F("distanceUnitCode", 5),
    F("transportDistance", 6, kind="decimal"),
    F("roundTripPurposeDescription", 9),
    F("stretcherPurposeDescription", 10),
)
CR2 = (
    F("treatmentSeriesNumber", 1),
    F("treatmentCount", 2, kind="decimal"),
    F("subluxationLevelCodes", 3, kind="list", count=2),
    F("patientConditionCode", 8),
    F("complicationIndicator", 9),
    F("patientConditionDescriptions", 10, kind="list", count=2),
    F("xrayAvailabilityIndicator", 12),
)
CR5 = (
    F("oxygenEquipmentTypeCode", 3),
    F("additionalOxygenEquipmentTypeCode", 4),
    F("equipmentReasonDescription", 5),
    F("oxygenFlowRate", 6, kind="decimal"),
    F("dailyOxygenUseCount", 7, kind="decimal"),
    F("oxygenUsePeriodHourCount", 8, kind="decimal"),
    F("respiratoryTherapistOrderText", 9),
    F("arterialBloodGasQuantity", 10, kind="decimal"),
    F("oxygenSaturationQuantity", 11, kind="decimal"),
    F("oxygenTestConditionCode", 12),
    F("oxygenTestFindingsCodes", 13, kind="list", count=3),
    F("portableOxygenSystemFlowRate", 16, kind="decimal"),
    F("oxygenDeliverySystemCode", 17),
    F("portableOxygenEquipmentTypeCode", 18),
)
CR6 = (
    F("prognosisCode", 1),
    F("startDate", 2, kind="date"),
    F("certificationPeriod", 4, kind="period"),
    F("medicareCoverageIndicator", 7),
    F("certificationTypeCode", 8),
    F("surgeryDate", 9, kind="date"),
    F("procedureCodeQualifier", 10),
    F("surgicalProcedureCode", 11),
    F("physicianOrderDate", 12, kind="date"),
    F("lastVisitDate", 13, kind="date"),
    F("physicianContactDate", 14, kind="date"),
    F("lastAdmissionPeriod", 16, kind="period"),
    F("patientDischargeFacilityTypeCode", 17),
)
#: single clinical segments of 2000E -> (field holding an object, table), in the guide's order
CLINICAL = {
    "CR1": ("ambulanceTransport", CR1),
    "CR2": ("spinalManipulation", CR2),
    "CR5": ("homeOxygenTherapy", CR5),
    "CR6": ("homeHealthCare", CR6),
}
DIAGNOSIS = ("diagnosisCode", "diagnosisTypeCode", "diagnosisDate")
#: the order of the party loops below 2000E (a request has no contact, a response no other UMO)
PARTY_ORDER = ("provider", "contact", "transport", "other_umo")


def read_2000e(loop: Loop, ctx: ReadContext, parent: str) -> None:
    key = f"review:{ctx.number('review')}"
    fields: Fields = {}
    extra: list[list[object]] = []
    for seg in loop.segments():
        tag = seg.tag
        if tag == "HL" or read_common(seg, fields, DATES):
            continue
        if tag == "HI" and "diagnoses" not in fields:
            fields["diagnoses"] = read_hi(seg, *DIAGNOSIS)
        elif tag == "HSD" and "serviceDelivery" not in fields:
            fields["serviceDelivery"] = take(seg, HSD)
        elif tag == "CRC":
            fields.setdefault("certificationConditions", []).append(take(seg, CRC))
        elif tag == "CL1" and not any(f.name in fields for f in CL1):
            fields.update(take(seg, CL1))
        elif tag in CLINICAL and CLINICAL[tag][0] not in fields:
            name, table = CLINICAL[tag]
            fields[name] = take(seg, table)
        else:
            extra.append(raw(seg))
    if extra:
        fields["extra"] = extra
    hl = next(loop.segments("HL"), None)
    record = Record("review", key, parent, hl.ordinal if hl is not None else 0, fields)
    trace = first_trace(fields.get("traceNumbers"))
    if trace:
        record.index["trace_number"] = trace
    when = index_date(fields.get("eventDate") or fields.get("admissionDate"))
    if when:
        record.index["service_date"] = when
    if ctx.member_id:
        record.index["member_id"] = ctx.member_id
    if fields.get("actionCode"):
        record.index["code"] = fields["actionCode"]
    ctx.records.append(record)
    for child in loop.loops():
        if child.id == "2000F":
            read_2000f(child, ctx, key)
        else:
            code = child.get("NM1/01") or ""
            ctx.party(child, nested_role(code), key, prefix=f"{key}/")


def write_2000e(ts: TransactionBuilder, ctx: WriteContext, review: Record, parent_hl: str) -> None:
    fields = review.fields
    services = ctx.kids(review.key, "service")
    hl = ts.hl("EV", parent_hl, bool(services))
    write_head(ts, fields, DATES, ctx.response)
    write_hi(ts, fields.get("diagnoses"), *DIAGNOSIS)
    add(ts, "HSD", fields.get("serviceDelivery"), HSD)
    for condition in fields.get("certificationConditions") or ():
        add(ts, "CRC", condition, CRC)
    add(ts, "CL1", fields, CL1)
    for tag, (name, table) in CLINICAL.items():
        add(ts, tag, fields.get(name), table)
    write_tail(ts, fields, ctx.response)
    write_parties(ts, ctx.kids(review.key, "party"), PARTY_ORDER)
    for service in services:
        write_2000f(ts, ctx, service, hl)
