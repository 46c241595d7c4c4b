"""2000F/2010F*: one requested service of a patient event (a ``service`` record).

The procedure comes from SV1 (professional), SV2 (institutional) or SV3
(dental); ``serviceLineType`` says which. 2010F (request) / 2010FA (response)
are the service's providers, 2010FB where to send additional information.
"""

from __future__ import annotations

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.prior_auth.context import ReadContext, WriteContext
from transactions.prior_auth.level import read_common, write_head, write_parties, write_tail
from transactions.prior_auth.party import nested_role
from transactions.prior_auth.segments import (
    HSD,
    F,
    Fields,
    add,
    first_trace,
    index_amount,
    index_date,
    raw,
    read_hi,
    take,
    write_hi,
)
from transactions.records import Record

DATES = {
    "472": "serviceDate",
    "102": "certificationIssueDate",
    "036": "certificationExpirationDate",
    "007": "certificationEffectiveDate",
}


def _procedure(pos: int) -> tuple[F, ...]:
    return (
        F("productOrServiceIdQualifier", pos, 1),
        F("procedureCode", pos, 2),
        F("procedureModifiers", pos, 3, "list", 4),
        F("procedureDescription", pos, 7),
        F("procedureCodeEnd", pos, 8),
    )


SV1 = (
    *_procedure(1),
    F("chargeAmount", 2, kind="decimal"),
    F("measurementUnitCode", 3),
    F("serviceUnitCount", 4, kind="decimal"),
    F("diagnosisCodePointers", 7, 1, "list", 4),
    F("epsdtIndicator", 11),
    F("nursingHomeLevelOfCare", 20),
)
SV2 = (
    F("revenueCode", 1),
    *_procedure(2),
    F("chargeAmount", 3, kind="decimal"),
    F("measurementUnitCode", 4),
    F("serviceUnitCount", 5, kind="decimal"),
    F("serviceLineRate", 6, kind="decimal"),
    F("nursingHomeResidentialStatusCode", 9),
    F("nursingHomeLevelOfCare", 10),
)
SV3 = (
    *_procedure(1),
    F("chargeAmount", 2, kind="decimal"),
    F("oralCavityDesignationCodes", 4, 1, "list", 5),
    F("prosthesisCrownOrInlayCode", 5),
    F("serviceUnitCount", 6, kind="decimal"),
    F("description", 7),
)
TOO = (
    F("codeListQualifierCode", 1),
    F("toothCode", 2),
    F("toothSurfaceCodes", 3, 1, "list", 5),
)
#: SV segment -> serviceLineType
LINE_TYPES = {"SV1": "professional", "SV2": "institutional", "SV3": "dental"}
TABLES = {"SV1": SV1, "SV2": SV2, "SV3": SV3}
LOI = ("industryCode", "codeListQualifierCode", "date")
PARTY_ORDER = ("provider", "contact")


def read_2000f(loop: Loop, ctx: ReadContext, parent: str) -> None:
    key = f"{parent}/service:{ctx.number(parent + '/service')}"
    fields: Fields = {}
    extra: list[list[object]] = []
    for seg in loop.segments():
        tag = seg.tag
        if tag == "HL" or read_common(seg, fields, DATES):
            continue
        if tag == "HI" and "informationRequests" not in fields:
            fields["informationRequests"] = read_hi(seg, *LOI)
        elif tag in TABLES and "serviceLineType" not in fields:
            fields["serviceLineType"] = LINE_TYPES[tag]
            fields.update(take(seg, TABLES[tag]))
        elif tag == "TOO":
            tooth = take(seg, TOO)
            if tooth.get("codeListQualifierCode") == "JP":
                del tooth["codeListQualifierCode"]
            fields.setdefault("teeth", []).append(tooth)
        elif tag == "HSD" and "serviceDelivery" not in fields:
            fields["serviceDelivery"] = take(seg, HSD)
        else:
            extra.append(raw(seg))
    if extra:
        fields["extra"] = extra
    hl = next(loop.segments("HL"), None)
    record = Record("service", key, parent, hl.ordinal if hl is not None else 0, fields)
    trace = first_trace(fields.get("traceNumbers"))
    if trace:
        record.index["trace_number"] = trace
    code = fields.get("procedureCode") or fields.get("revenueCode")
    if code:
        record.index["code"] = code
    amount = index_amount(fields.get("chargeAmount"))
    if amount is not None:
        record.index["amount"] = amount
    when = index_date(fields.get("serviceDate"))
    if when:
        record.index["service_date"] = when
    if ctx.member_id:
        record.index["member_id"] = ctx.member_id
    ctx.records.append(record)
    for child in loop.loops():
        code = child.get("NM1/01") or ""
        ctx.party(child, nested_role(code), key, prefix=f"{key}/")


def write_2000f(ts: TransactionBuilder, ctx: WriteContext, service: Record, parent_hl: str) -> None:
    fields = service.fields
    ts.hl("SS", parent_hl, False)
    write_head(ts, fields, DATES, ctx.response)
    write_hi(ts, fields.get("informationRequests"), *LOI)
    line_type = fields.get("serviceLineType") or (
        "professional" if fields.get("procedureCode") else None
    )
    for tag, name in LINE_TYPES.items():
        if name == line_type:
            add(ts, tag, fields, TABLES[tag])
    for tooth in fields.get("teeth") or ():
        add(
            ts,
            "TOO",
            tooth,
            TOO,
            fixed={1: "JP"} if not tooth.get("codeListQualifierCode") else None,
        )
    add(ts, "HSD", fields.get("serviceDelivery"), HSD)
    write_tail(ts, fields, ctx.response)
    write_parties(ts, ctx.kids(service.key, "party"), PARTY_ORDER)
