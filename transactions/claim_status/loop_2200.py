"""2200A-2200E: claim-level tracking (276) and status (277, 277CA).

* 276 2200D/2200E: a ``claim_status_request`` record, key ``request:<n>``: the
  ``traceNumber`` (TRN02), the REFs (payer claim control number 1K, patient
  control number EJ, bill type BLT, clearinghouse trace D9, pharmacy
  prescription XZ, location LU, group 6P), ``claimChargeAmount`` (AMT*T3) and
  the service period (DTP*472).
* 277 2200B-2200E and 277CA 2200A-2200D: a ``claim_status`` record, key
  ``status:<n>``: the trace, one ``statuses`` entry per STC
  (:mod:`transactions.claim_status.stc`), the REFs, the service period; in a
  277CA the 2200A receipt and process dates (DTP*050, DTP*009) and the 2200B/C
  summaries ``acceptedQuantity``/``rejectedQuantity`` (QTY 90/AA at B, QA/QC at
  C) and ``acceptedAmount``/``rejectedAmount`` (AMT YU/YY).

Either record is the child of the party of its level; service lines
(:mod:`transactions.claim_status.loop_2210`) are its children. ``loop``,
``statusSummary`` and, in a 277CA 2200D (whose TRN02 is the claim's CLM01), the
``patientControlNumber`` are derived.
"""

from __future__ import annotations

from typing import Any

from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.claim_status import loop_2210, stc
from transactions.claim_status.common import (
    PERIOD_FIELDS,
    Context,
    Fields,
    Kind,
    Table,
    compact,
    from_x12,
    raw,
    read_period,
    read_ref,
    read_table,
    service_date,
    to_x12,
    write_period,
    write_raw,
    write_refs,
    write_table,
)
from transactions.records import Record

REQUEST = "claim_status_request"
STATUS = "claim_status"

#: REF qualifiers in TR3 order, per guide (claim and line levels)
REF_ORDER = {
    "276": ("1K", "BLT", "LU", "6P", "EJ", "XZ", "D9"),
    "277": ("1K", "BLT", "EJ", "XZ", "VV", "D9"),
    "277CA": ("1K", "D9", "BLT"),
}
#: 277CA summary quantities per level: (accepted, rejected) QTY01
QUANTITIES = {"B": ("90", "AA"), "C": ("QA", "QC")}
AMOUNTS = {"T3": "claimChargeAmount", "YU": "acceptedAmount", "YY": "rejectedAmount"}
DATES = {"050": "receiptDate", "009": "processDate"}
SERVICE_PERIOD = "472"
#: TRN01 is implied by the level; TRN03 and TRN04 are not used by these guides
TRN: Table = (
    (2, "traceNumber", "s"),
    (3, "originatingCompanyIdentifier", "s"),
    (4, "originatingCompanySupplementalCode", "s"),
)


def trace_type(guide: str, letter: str) -> str:
    """TRN01: 1 (current transaction trace) or 2 (referenced transaction trace)."""
    return "1" if guide == "276" or letter in "AC" else "2"


# reading --------------------------------------------------------------------------


def _read_qualified(seg: Segment, letter: str, fields: Fields) -> bool:
    """QTY, AMT and DTP into their named fields; False when the segment is not modelled."""
    tag, qualifier = seg.tag, seg.get(1)
    kind: Kind = "r"
    width = 3
    if tag == "QTY" and qualifier in QUANTITIES.get(letter, ()):
        name = ("acceptedQuantity", "rejectedQuantity")[QUANTITIES[letter].index(qualifier)]
        value = seg.get(2)
    elif tag == "AMT" and qualifier in AMOUNTS:
        name, value = AMOUNTS[qualifier], seg.get(2)
    elif tag == "DTP" and qualifier in DATES and seg.get(2) == "D8":
        name, value, kind, width = DATES[qualifier], seg.get(3), "d", 4
    elif tag == "DTP" and qualifier == SERVICE_PERIOD and not PERIOD_FIELDS & fields.keys():
        if len(seg.elements) > 4:
            return False
        fields.update(read_period(seg))
        return True
    else:
        return False
    if name in fields or not value or len(seg.elements) > width:
        return False
    fields[name] = from_x12(value, kind)
    return True


def read_tracking(ctx: Context, loop: Loop, parent: str, letter: str) -> None:
    """One 2200 loop: its record, then its service lines."""
    request = ctx.guide == "276"
    key = ctx.next_key("request" if request else "status")
    fields: Fields = {"loop": loop.id}
    refs: list[Fields] = []
    extra: list[list[Any]] = []
    statuses: list[Fields] = []
    first = next(loop.segments(), None)
    for seg in loop.segments():
        tag = seg.tag
        if tag == "TRN" and seg is first:
            fields.update(read_table(seg, TRN))
        elif tag == "STC" and not request:
            statuses.append(stc.read_stc(seg))
        elif tag == "REF":
            read_ref(seg, fields, refs, extra)
        elif tag in ("QTY", "AMT", "DTP") and _read_qualified(seg, letter, fields):
            continue
        else:
            extra.append(raw(seg))
    if statuses:
        fields["statuses"] = statuses
        fields["statusSummary"] = stc.summary(statuses)
    if refs:
        fields["references"] = refs
    if ctx.guide == "277CA" and letter == "D" and fields.get("traceNumber"):
        fields.setdefault("patientControlNumber", fields["traceNumber"])
    if extra:
        fields["extra"] = extra
    fields = compact(fields)
    ordinal = first.ordinal if first is not None else 0
    record = Record(REQUEST if request else STATUS, key, parent, ordinal, fields, _index(fields))
    ctx.records.append(record)
    line_loop = f"{'2210' if request else '2220'}{letter}"
    for line in loop.loops(line_loop):
        loop_2210.read_line(ctx, line, key)


def _index(fields: Fields) -> dict[str, Any]:
    statuses = fields.get("statuses", [])
    index = {
        "trace_number": fields.get("traceNumber"),
        "payer_claim_control_number": fields.get("payerClaimControlNumber"),
        "patient_control_number": fields.get("patientControlNumber"),
        "amount": fields.get("claimChargeAmount")
        or stc.first_value(statuses, "totalClaimChargeAmount"),
        "service_date": service_date(fields),
        "code": stc.first_value(statuses, "categoryCode"),
    }
    return {k: v for k, v in index.items() if v}


# writing --------------------------------------------------------------------------


def write_tracking(
    ts: TransactionBuilder,
    guide: str,
    letter: str,
    record: Record,
    kids: dict[str | None, list[Record]],
) -> None:
    f = record.fields
    values = write_table(f, TRN)
    values[0] = trace_type(guide, letter)
    ts.add("TRN", *values)
    stc.write_statuses(ts, f)
    refs = dict(f)
    if guide == "277CA":
        refs.pop("patientControlNumber", None)  # derived from TRN02
    write_refs(ts, refs, REF_ORDER[guide])
    if letter in QUANTITIES:
        for qualifier, name in zip(
            QUANTITIES[letter], ("acceptedQuantity", "rejectedQuantity"), strict=True
        ):
            if f.get(name) not in (None, ""):
                ts.add("QTY", qualifier, to_x12(f[name], "r"))
    for qualifier, name in AMOUNTS.items():
        if f.get(name) not in (None, ""):
            ts.add("AMT", qualifier, to_x12(f[name], "r"))
    write_period(ts, SERVICE_PERIOD, f)
    for qualifier, name in DATES.items():
        if f.get(name):
            ts.add("DTP", qualifier, "D8", to_x12(f[name], "d"))
    write_raw(ts, f.get("extra", []))
    for line in kids.get(record.key, []):
        if line.entity == loop_2210.ENTITY:
            loop_2210.write_line(ts, line)
