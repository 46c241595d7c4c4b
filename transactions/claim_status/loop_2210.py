"""2210D/2210E (276) and 2220D/2220E (277, 277CA): service lines.

One ``service_line_status`` record per SVC, key ``<claim>/line:<n>``, child of
the ``claim_status_request`` or ``claim_status`` it belongs to: the SVC01
procedure composite (``procedureQualifier``, ``procedureCode``,
``procedureModifiers``), ``lineItemChargeAmount`` (SVC02),
``lineItemProviderPaymentAmount`` (SVC03, 277), ``revenueCode`` (SVC04),
``originalUnitsOfService`` (SVC07), the STC ``statuses`` (277, 277CA), the
``lineItemControlNumber`` (REF*FJ), the 277CA's ``pharmacyPrescriptionNumber``
(REF*XZ) and the service period (DTP*472).
"""

from __future__ import annotations

from typing import Any

from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.claim_status import stc
from transactions.claim_status.common import (
    PERIOD_FIELDS,
    Context,
    Fields,
    Table,
    compact,
    raw,
    read_period,
    read_ref,
    read_table,
    service_date,
    write_period,
    write_raw,
    write_refs,
    write_table,
)
from transactions.records import Record

ENTITY = "service_line_status"

SVC: Table = (
    (2, "lineItemChargeAmount", "r"),
    (3, "lineItemProviderPaymentAmount", "r"),
    (4, "revenueCode", "s"),
    (7, "originalUnitsOfService", "r"),
)
#: SVC elements not used by these guides: a line that has them is kept raw
UNUSED = (5, 6)
REF_ORDER = ("FJ", "XZ")
SERVICE_PERIOD = "472"


def read_procedure(parts: list[str]) -> Fields:
    """A C003 composite: qualifier, code, modifiers (3-6), description (7)."""

    def part(n: int) -> str:
        return parts[n - 1] if len(parts) >= n else ""

    return compact(
        {
            "procedureQualifier": part(1),
            "procedureCode": part(2),
            "procedureModifiers": [part(n) for n in range(3, 7) if part(n)],
            "procedureDescription": part(7),
        }
    )


def write_procedure(f: Fields) -> tuple[str, ...] | None:
    parts = [str(f.get("procedureQualifier", "")), str(f.get("procedureCode", ""))]
    parts += [str(m) for m in f.get("procedureModifiers", [])][:4]
    if f.get("procedureDescription"):
        parts += [""] * (6 - len(parts)) + [str(f["procedureDescription"])]
    return tuple(parts) if any(parts) else None


def read_line(ctx: Context, loop: Loop, parent: str) -> None:
    key = ctx.next_key(f"{parent}/line")
    svc = loop.first("SVC")
    fields: Fields = {}
    refs: list[Fields] = []
    statuses: list[Fields] = []
    extra: list[list[Any]] = []
    modelled_svc = (
        svc is not None
        and not any(svc.get(pos) for pos in UNUSED)
        and len(svc.elements) <= 8
        and len(svc.components(1)) <= 7
    )
    for seg in loop.segments():
        tag = seg.tag
        if seg is svc and modelled_svc:
            fields.update(read_procedure(seg.components(1)))
            fields.update(read_table(seg, SVC))
        elif seg is svc:
            fields["svc"] = raw(seg)
        elif tag == "STC":
            statuses.append(stc.read_stc(seg))
        elif tag == "REF":
            read_ref(seg, fields, refs, extra)
        elif (
            tag == "DTP"
            and seg.get(1) == SERVICE_PERIOD
            and not PERIOD_FIELDS & fields.keys()
            and len(seg.elements) <= 4
        ):
            fields.update(read_period(seg))
        else:
            extra.append(raw(seg))
    if statuses:
        fields["statuses"] = statuses
        fields["statusSummary"] = stc.summary(statuses)
    if refs:
        fields["references"] = refs
    if extra:
        fields["extra"] = extra
    fields = compact(fields)
    index = {
        "code": fields.get("procedureCode") or fields.get("revenueCode"),
        "amount": fields.get("lineItemChargeAmount"),
        "service_date": service_date(fields),
    }
    ordinal = svc.ordinal if svc is not None else next((s.ordinal for s in loop.walk()), 0)
    ctx.records.append(
        Record(ENTITY, key, parent, ordinal, fields, {k: v for k, v in index.items() if v})
    )


def write_line(ts: TransactionBuilder, record: Record) -> None:
    f = record.fields
    if f.get("svc"):
        write_raw(ts, [f["svc"]])
    else:
        values = write_table(f, SVC)
        values[0] = write_procedure(f)
        ts.add("SVC", *values)
    stc.write_statuses(ts, f)
    write_refs(ts, f, REF_ORDER)
    write_period(ts, SERVICE_PERIOD, f)
    write_raw(ts, f.get("extra", []))
