"""Segments the patient event (2000E) and service (2000F) levels share.

Both levels open with TRN, AAA (response), UM, HCR (response), the REF pair and
their DTPs, and close with PWK and MSG; what lies between differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from parsers.segment import Segment
from parsers.writer import TransactionBuilder
from transactions.prior_auth.party import kind_of, write_party
from transactions.prior_auth.segments import (
    AAA,
    PWK,
    TRN,
    UM,
    Fields,
    add,
    add_raw,
    period,
    period_values,
    read_hcr,
    take,
    write_hcr,
)
from transactions.records import Record

#: REF01 of the level -> field
REFERENCES = {
    "BB": "previousReviewAuthorizationNumber",
    "NT": "administrativeReferenceNumber",
}


def read_common(seg: Segment, fields: Fields, dates: Mapping[str, str]) -> bool:
    """Read ``seg`` into ``fields`` when it is one of the shared segments; False otherwise."""
    tag, qual = seg.tag, seg.get(1)
    if tag == "TRN":
        fields.setdefault("traceNumbers", []).append(take(seg, TRN))
    elif tag == "AAA":
        fields.setdefault("rejections", []).append(take(seg, AAA))
    elif tag == "UM" and "requestCategoryCode" not in fields:
        fields.update(take(seg, UM))
    elif tag == "HCR" and "actionCode" not in fields:
        fields.update(read_hcr(seg))
    elif tag == "REF" and qual in REFERENCES and REFERENCES[qual] not in fields and seg.get(2):
        fields[REFERENCES[qual]] = seg.get(2)
    elif (
        tag == "DTP"
        and qual in dates
        and dates[qual] not in fields
        and seg.get(2) in ("D8", "RD8")
        and seg.get(3)
    ):
        fields.update(period(seg.get(2), seg.get(3), dates[qual]))
    elif tag == "PWK":
        fields.setdefault("attachments", []).append(take(seg, PWK))
    elif tag == "MSG" and "message" not in fields and seg.get(1):
        fields["message"] = seg.get(1)
    else:
        return False
    return True


def write_head(
    ts: TransactionBuilder, fields: Mapping[str, Any], dates: Mapping[str, str], response: bool
) -> None:
    """TRN, AAA, UM, HCR, REF and DTP, in the guide's order for a request or a response."""
    for trace in fields.get("traceNumbers") or ():
        add(ts, "TRN", trace, TRN)
    if response:
        for rejection in fields.get("rejections") or ():
            add(ts, "AAA", rejection, AAA)
    add(ts, "UM", fields, UM)
    write_hcr(ts, fields)
    for qual in ("NT", "BB") if response else ("BB", "NT"):
        if fields.get(REFERENCES[qual]):
            ts.add("REF", qual, str(fields[REFERENCES[qual]]))
    for qual, name in dates.items():
        pv = period_values(fields, name)
        if pv is not None:
            ts.add("DTP", qual, *pv)


def write_tail(ts: TransactionBuilder, fields: Mapping[str, Any], response: bool) -> None:
    """PWK, MSG, then what the guide has no place for (AAA of a request, raw extras)."""
    for attachment in fields.get("attachments") or ():
        add(ts, "PWK", attachment, PWK)
    if fields.get("message"):
        ts.add("MSG", str(fields["message"]))
    if not response:
        for rejection in fields.get("rejections") or ():
            add(ts, "AAA", rejection, AAA)
    add_raw(ts, fields.get("extra"))


def write_parties(ts: TransactionBuilder, parties: Sequence[Record], order: Sequence[str]) -> None:
    """Party loops below a level, grouped in the guide's order of their kinds."""
    for kind in order:
        for party in parties:
            if kind_of(party.fields) == kind:
                write_party(ts, party.fields)
