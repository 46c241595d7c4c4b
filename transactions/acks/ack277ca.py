"""277CA health care claim acknowledgment (005010X214): claim-level accept or reject for an 837.

The 837's tree is reduced to :class:`ClaimBatch` while it streams by; the 277CA is
written from that summary, so no claim tree is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from parsers.envelope import TransactionSet
from parsers.findings import Scope, Severity
from parsers.segment import Segment
from parsers.tree import Loop
from parsers.writer import TransactionBuilder
from transactions.rules.common import amount, date_range

ACCEPTED = "A2:20"  # accepted for processing; 20 = accepted for processing
RECEIVED = "A1:19"  # acknowledgment of receipt; 19 = entity acknowledges receipt


@dataclass(slots=True)
class ClaimAck:
    clm01: str
    charge: Decimal
    last: str
    first: str
    member_id: str
    start: dt.date | None
    end: dt.date | None
    statuses: list[str] = field(default_factory=list)  # "A7:400" for rejections

    @property
    def accepted(self) -> bool:
        return not self.statuses


@dataclass(slots=True)
class ProviderAck:
    entity_type: str
    name: str
    first: str
    id_qualifier: str
    identifier: str
    claims: list[ClaimAck] = field(default_factory=list)


@dataclass(slots=True)
class ClaimBatch:
    """What a 277CA needs of one 837 transaction set."""

    reference: str  # BHT03 of the 837
    submitter: str
    submitter_id: str
    st_control: str
    rejected_whole: bool  # the 999 rejected the set: every claim is rejected
    providers: list[ProviderAck] = field(default_factory=list)

    @property
    def claims(self) -> list[ClaimAck]:
        return [c for p in self.providers for c in p.claims]


def _name(seg: Segment | None) -> tuple[str, str, str]:
    if seg is None:
        return "2", "UNKNOWN", ""
    return seg.get(2) or "2", seg.get(3) or "UNKNOWN", seg.get(4)


def _service_dates(claim: Loop) -> tuple[dt.date | None, dt.date | None]:
    starts, ends = [], []
    for dtp in [
        *claim.segments("DTP"),
        *(d for line in claim.loops("2400") for d in line.segments("DTP")),
    ]:
        if dtp.get(1) in ("472", "434"):
            start, end = date_range(dtp.get(2), dtp.get(3))
            if start and end:
                starts.append(start)
                ends.append(end)
    return (min(starts), max(ends)) if starts else (None, None)


def summarize(ts: TransactionSet) -> ClaimBatch:
    assert ts.root is not None
    root = ts.root
    submitter = next((loop.first("NM1") for loop in root.loops("1000A")), None)
    batch = ClaimBatch(
        reference=root.get("BHT/03") or ts.control,
        submitter=submitter.get(3) if submitter is not None else "SUBMITTER",
        submitter_id=submitter.get(9) if submitter is not None else "UNKNOWN",
        st_control=ts.control,
        rejected_whole=not ts.accepted,
    )
    claim_status: dict[int, list[str]] = {}
    for f in ts.findings:
        if f.severity is Severity.ERROR and (f.claim is not None or f.scope is Scope.CLAIM):
            key = f.claim or -1
            codes = claim_status.setdefault(key, [])
            if f.stc and f.stc not in codes:
                codes.append(f.stc)
    whole = ["A3:21"] if batch.rejected_whole else []
    for billing in root.find("2000A"):
        nm1 = next((loop.first("NM1") for loop in billing.loops("2010AA")), None)
        etype, name, first = _name(nm1)
        provider = ProviderAck(
            etype,
            name,
            first,
            nm1.get(8) if nm1 is not None and nm1.get(8) else "XX",
            nm1.get(9) if nm1 is not None and nm1.get(9) else "UNKNOWN",
        )
        for claim in billing.find("2300"):
            clm = claim.first("CLM")
            if clm is None:
                continue
            holder = claim.parent
            patient_loop = next(holder.loops("2010CA"), None) if holder is not None else None
            sub_holder = holder
            while sub_holder is not None and sub_holder.id != "2000B":
                sub_holder = sub_holder.parent
            subscriber_loop = (
                next(sub_holder.loops("2010BA"), None) if sub_holder is not None else None
            )
            person = patient_loop or subscriber_loop
            name_seg = person.first("NM1") if person is not None else None
            member = subscriber_loop.first("NM1") if subscriber_loop is not None else None
            start, end = _service_dates(claim)
            provider.claims.append(
                ClaimAck(
                    clm01=clm.get(1) or "UNKNOWN",
                    charge=amount(clm.get(2)) or Decimal(0),
                    last=name_seg.get(3) if name_seg is not None and name_seg.get(3) else "UNKNOWN",
                    first=name_seg.get(4) if name_seg is not None else "",
                    member_id=member.get(9) if member is not None and member.get(9) else "UNKNOWN",
                    start=start,
                    end=end,
                    statuses=whole or claim_status.get(clm.ordinal, []),
                )
            )
        batch.providers.append(provider)
    return batch


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def add_277ca(
    tb: TransactionBuilder,
    batch: ClaimBatch,
    *,
    source_name: str,
    source_id: str,
    received: dt.date,
    processed: dt.datetime,
    trace: str,
) -> None:
    """Write the body of one 277CA acknowledging ``batch`` into ``tb``."""
    claims = batch.claims
    ok = [c for c in claims if c.accepted]
    bad = [c for c in claims if not c.accepted]
    tb.add("BHT", "0085", "08", trace, processed.date(), processed.time(), "TH")
    source = tb.hl("20")
    tb.add("NM1", "AY", "2", source_name[:60], None, None, None, None, "46", source_id[:80])
    tb.add("TRN", "1", trace)
    tb.add("DTP", "050", "D8", received)
    tb.add("DTP", "009", "D8", processed.date())
    receiver = tb.hl("21", source)
    tb.add(
        "NM1",
        "41",
        "2",
        batch.submitter[:60] or "SUBMITTER",
        None,
        None,
        None,
        None,
        "46",
        batch.submitter_id[:80] or "UNKNOWN",
    )
    tb.add("TRN", "2", batch.reference[:50])
    tb.add(
        "STC",
        [*RECEIVED.split(":"), "PR"],
        processed.date(),
        "WQ",
        _money(sum((c.charge for c in claims), Decimal(0))),
    )
    if ok:
        tb.add("QTY", "90", len(ok))
    if bad:
        tb.add("QTY", "AA", len(bad))
    if ok:
        tb.add("AMT", "YU", _money(sum((c.charge for c in ok), Decimal(0))))
    if bad:
        tb.add("AMT", "YY", _money(sum((c.charge for c in bad), Decimal(0))))
    for p_index, provider in enumerate(batch.providers, 1):
        if not provider.claims:
            continue
        hl = tb.hl("19", receiver)
        tb.add(
            "NM1",
            "85",
            provider.entity_type if provider.entity_type in ("1", "2") else "2",
            provider.name[:60],
            provider.first[:35] or None,
            None,
            None,
            None,
            provider.id_qualifier if provider.id_qualifier in ("XX", "FI", "SV") else "XX",
            provider.identifier[:80],
        )
        tb.add("TRN", "1", f"{trace}-{p_index}"[:50])
        p_ok = [c for c in provider.claims if c.accepted]
        p_bad = [c for c in provider.claims if not c.accepted]
        if p_ok:
            tb.add("QTY", "QA", len(p_ok))
        if p_bad:
            tb.add("QTY", "QC", len(p_bad))
        if p_ok:
            tb.add("AMT", "YU", _money(sum((c.charge for c in p_ok), Decimal(0))))
        if p_bad:
            tb.add("AMT", "YY", _money(sum((c.charge for c in p_bad), Decimal(0))))
        for c_index, claim in enumerate(provider.claims, 1):
            tb.hl("PT", hl, children=None)
            tb.add(
                "NM1",
                "QC",
                "1",
                claim.last[:60],
                claim.first[:35] or None,
                None,
                None,
                None,
                "MI",
                claim.member_id[:80],
            )
            tb.add("TRN", "2", claim.clm01[:50])
            if claim.accepted:
                tb.add(
                    "STC",
                    [*ACCEPTED.split(":"), "PR"],
                    processed.date(),
                    "WQ",
                    _money(claim.charge),
                )
            else:
                for status in claim.statuses[:5]:
                    tb.add("STC", status.split(":"), processed.date(), "U", _money(claim.charge))
            if claim.accepted:
                tb.add("REF", "1K", f"{trace}{p_index:03d}{c_index:05d}"[:50])
            if claim.start and claim.end:
                if claim.start == claim.end:
                    tb.add("DTP", "472", "D8", claim.start)
                else:
                    tb.add("DTP", "472", "RD8", f"{claim.start:%Y%m%d}-{claim.end:%Y%m%d}")
            else:
                tb.add("DTP", "472", "D8", received)
