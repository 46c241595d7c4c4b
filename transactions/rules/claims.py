"""837 P/I/D business rules: claim balancing (SNIP 3), NPIs, ICD-10-CM and dates (SNIP 5).

Every claim-level finding names the claim by the ordinal of its CLM segment and
carries the 277CA status (category:status code) to reject that claim with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from parsers.envelope import TransactionSet
from parsers.findings import Finding, Scope, Severity
from parsers.segment import Segment
from parsers.tree import Loop
from transactions.rules.common import amount, date_range, icd10cm_form, icd10cm_known, npi_valid, parse_date

#: Loops that belong to a claim (2300 and everything below it).
CLAIM_LOOPS = frozenset(
    {"2300", "2305", "2310A", "2310B", "2310C", "2310D", "2310E", "2310F", "2320", "2330A",
     "2330B", "2330C", "2330D", "2330E", "2330F", "2330G", "2330H", "2330I", "2400", "2410",
     "2420A", "2420B", "2420C", "2420D", "2420E", "2420F", "2420G", "2420H", "2420I", "2430", "2440"}
)
#: HI qualifiers that carry ICD-10-CM diagnosis codes
ICD10CM_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})
#: where each claim type carries the line charge: (segment, element)
LINE_CHARGE = {"SV1": 2, "SV2": 3, "SV3": 2}


def claims(ts: TransactionSet) -> list[tuple[Loop, int, int]]:
    """Each 2300 loop with the positions (ST = 1) of its first and last segment."""
    assert ts.root is not None
    base = ts.header.ordinal - 1
    out = []
    for claim in ts.root.find("2300"):
        segs = list(claim.walk())
        if segs:
            out.append((claim, segs[0].ordinal - base, segs[-1].ordinal - base))
    return out


def _claim_finding(
    ts: TransactionSet, clm: Segment, code: str, message: str, stc: str, snip: int,
    seg: Segment | None = None, element: int | None = None,
) -> Finding:
    at = seg or clm
    return Finding(
        code,
        message,
        scope=Scope.CLAIM,
        snip=snip,
        stc=stc,
        interchange=ts.interchange.control if ts.interchange else None,
        group=ts.group.control if ts.group else None,
        transaction=ts.control,
        segment_id=at.elements[0],
        ordinal=at.ordinal,
        position=at.ordinal - ts.header.ordinal + 1,
        offset=at.offset,
        loop=at.spec.loop_id if at.spec is not None else None,
        element=element,
        claim=clm.ordinal,
    )


def assign_claims(ts: TransactionSet) -> None:
    """Tie SNIP 1-2 findings inside a claim to that claim, so the claim alone is rejected."""
    ranges = [(first, last, claim) for claim, first, last in claims(ts)]
    if not ranges:
        return
    out = []
    for f in ts.findings:
        if f.claim is None and f.position is not None and f.loop in CLAIM_LOOPS:
            for first, last, claim in ranges:
                if first <= f.position <= last + 1:
                    clm = claim.first("CLM")
                    if clm is not None:
                        f = replace(f, claim=clm.ordinal, stc=f.stc or "A7:21")
                    break
        out.append(f)
    ts.findings[:] = out


def balancing(ts: TransactionSet, today: dt.date) -> list[Finding]:
    """SNIP 3: CLM02 equals the sum of the service line charges."""
    assign_claims(ts)
    out: list[Finding] = []
    for claim, _first, _last in claims(ts):
        clm = claim.first("CLM")
        if clm is None:
            continue
        total = amount(clm.get(2))
        lines = Decimal(0)
        for line in claim.loops("2400"):
            for tag, pos in LINE_CHARGE.items():
                seg = line.first(tag)
                if seg is not None:
                    lines += amount(seg.get(pos)) or Decimal(0)
        if total is not None and total != lines:
            out.append(
                _claim_finding(
                    ts, clm, "claim.unbalanced",
                    "CLM02 does not equal the sum of the service line charges",
                    "A7:400", 3, element=2,
                )
            )
    return out


def _patient_dmg(claim: Loop) -> Segment | None:
    parent = claim.parent
    if parent is None:
        return None
    name_loop = next(parent.loops("2010CA"), None) or next(parent.loops("2010BA"), None)
    return name_loop.first("DMG") if name_loop is not None else None


def codes_and_dates(ts: TransactionSet, today: dt.date) -> list[Finding]:
    """SNIP 5 starters: NPI check digits, ICD-10-CM code form, dates that make sense."""
    assert ts.root is not None
    out: list[Finding] = []
    in_claims: set[int] = set()
    for claim, _first, _last in claims(ts):
        clm = claim.first("CLM")
        if clm is None:
            continue
        dmg = _patient_dmg(claim)
        birth = parse_date(dmg.get(2)) if dmg is not None and dmg.get(1) == "D8" else None
        for seg in claim.walk():
            in_claims.add(id(seg))
            tag = seg.elements[0]
            if tag == "NM1" and seg.get(8) == "XX" and not npi_valid(seg.get(9)):
                out.append(_claim_finding(ts, clm, "claim.npi", "NM109 is not a valid NPI (check digit)", "A7:562", 5, seg, 9))
            elif tag == "HI":
                for pos in range(1, len(seg.elements)):
                    parts = seg.components(pos)
                    if len(parts) >= 2 and parts[0] in ICD10CM_QUALIFIERS:
                        code = parts[1]
                        if not icd10cm_form(code):
                            out.append(_claim_finding(ts, clm, "claim.icd10_form", f"HI{pos:02d} is not an ICD-10-CM code", "A7:255", 5, seg, pos))
                        elif not icd10cm_known(code):
                            f = _claim_finding(ts, clm, "claim.icd10_unknown", f"HI{pos:02d} is not in the ICD-10-CM code list", "A7:255", 5, seg, pos)
                            out.append(replace(f, severity=Severity.WARNING))
            elif tag == "DTP":
                start, end = date_range(seg.get(2), seg.get(3))
                if start is None or end is None:
                    continue
                if start > end:
                    out.append(_claim_finding(ts, clm, "claim.date_range", "DTP03 date range ends before it starts", "A7:187", 5, seg, 3))
                elif seg.get(1) in ("472", "434") and end > today:
                    out.append(_claim_finding(ts, clm, "claim.future_service", "Service date is in the future", "A7:187", 5, seg, 3))
                elif seg.get(1) in ("472", "434") and birth is not None and start < birth:
                    out.append(_claim_finding(ts, clm, "claim.before_birth", "Service date is before the patient's birth date", "A7:187", 5, seg, 3))
    # providers outside claims (billing, pay-to, ...): the whole set depends on them
    base = ts.header.ordinal - 1
    for seg in ts.root.walk():
        if id(seg) in in_claims:
            continue
        if seg.elements[0] == "NM1" and seg.get(8) == "XX" and not npi_valid(seg.get(9)):
            out.append(
                Finding(
                    "provider.npi", "NM109 is not a valid NPI (check digit)", scope=Scope.ELEMENT, snip=5,
                    ik3="8", ik4="7", interchange=ts.interchange.control if ts.interchange else None,
                    group=ts.group.control if ts.group else None, transaction=ts.control,
                    segment_id="NM1", ordinal=seg.ordinal, position=seg.ordinal - base, offset=seg.offset,
                    loop=seg.spec.loop_id if seg.spec is not None else None, element=9, data_element="67",
                )
            )
        elif seg.elements[0] == "DMG" and seg.get(1) == "D8":
            born = parse_date(seg.get(2))
            if born is not None and (born > today or born.year < 1900):
                out.append(
                    Finding(
                        "person.birth_date", "DMG02 birth date is in the future or before 1900", scope=Scope.ELEMENT,
                        snip=5, ik3="8", ik4="8", interchange=ts.interchange.control if ts.interchange else None,
                        group=ts.group.control if ts.group else None, transaction=ts.control, segment_id="DMG",
                        ordinal=seg.ordinal, position=seg.ordinal - base, offset=seg.offset,
                        loop=seg.spec.loop_id if seg.spec is not None else None, element=2, data_element="1251",
                    )
                )
    return out
