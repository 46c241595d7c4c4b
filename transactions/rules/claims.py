"""837 P/I/D business rules in one pass over the segments.

- SNIP 3: CLM02 equals the sum of the service line charges (SV102, SV203, SV302).
- SNIP 5 starters: NPI check digits, ICD-10-CM code form (and, at error level 5,
  presence in the code list), date ranges that end before they start, service
  dates in the future or before the patient's birth.

A finding inside a claim names the claim by the ordinal of its CLM segment and
carries the 277CA status (category:status code) that rejects that claim alone.
SNIP 1-2 findings of the matcher that fall inside a claim are tied to it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from parsers.envelope import TransactionSet
from parsers.findings import Finding, Scope
from parsers.segment import Segment
from transactions.rules.common import (
    RuleContext,
    amount,
    date_range,
    icd10cm_form,
    icd10cm_known,
    npi_valid,
    parse_date,
)

#: Loops that belong to a claim (2300 and everything below it).
CLAIM_LOOPS = frozenset(
    {"2300", "2305", "2310A", "2310B", "2310C", "2310D", "2310E", "2310F", "2320"}
    | {f"2330{c}" for c in "ABCDEFGHI"}
    | {"2400", "2410", "2430", "2440"}
    | {f"2420{c}" for c in "ABCDEFGHI"}
)
#: HI qualifiers that carry ICD-10-CM diagnosis codes
ICD10CM_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})
#: where each claim type carries the line charge: segment -> element
LINE_CHARGE = {"SV1": 2, "SV2": 3, "SV3": 2}
SERVICE_DATES = frozenset({"472", "434"})
PERSON_LOOPS = frozenset({"2010BA", "2010CA"})


@dataclass(slots=True)
class _Claim:
    clm: Segment
    first: int  # position (ST = 1)
    last: int
    total: Decimal | None
    lines: Decimal = Decimal(0)
    findings: list[Finding] = field(default_factory=list)


class ClaimRules:
    """One pass over an 837's segments (streamed; no tree needed)."""

    def __init__(self, ts: TransactionSet, ctx: RuleContext) -> None:
        self.ts = ts
        self.ctx = ctx
        self.today = ctx.today
        self.base = ts.header.ordinal - 1
        self.where: dict[str, Any] = {
            "interchange": ts.interchange.control if ts.interchange else None,
            "group": ts.group.control if ts.group else None,
            "transaction": ts.control,
        }
        self.out: list[Finding] = []
        self.claims: list[_Claim] = []
        self.claim: _Claim | None = None
        self.birth: dt.date | None = None

    def claim_finding(
        self,
        claim: _Claim,
        seg: Segment,
        code: str,
        message: str,
        stc: str,
        snip: int,
        element: int,
    ) -> None:
        self.out.append(
            Finding(
                code,
                message,
                scope=Scope.CLAIM,
                snip=snip,
                stc=stc,
                **self.where,
                segment_id=seg.elements[0],
                ordinal=seg.ordinal,
                position=seg.ordinal - self.base,
                offset=seg.offset,
                loop=seg.spec.loop_id if seg.spec is not None else None,
                element=element,
                claim=claim.clm.ordinal,
            )
        )

    def element_finding(
        self, seg: Segment, code: str, message: str, element: int, ik4: str, ref: str
    ) -> None:
        self.out.append(
            Finding(
                code,
                message,
                scope=Scope.ELEMENT,
                snip=5,
                ik3="8",
                ik4=ik4,
                **self.where,
                segment_id=seg.elements[0],
                ordinal=seg.ordinal,
                position=seg.ordinal - self.base,
                offset=seg.offset,
                loop=seg.spec.loop_id if seg.spec is not None else None,
                element=element,
                data_element=ref,
            )
        )

    def add(self, seg: Segment) -> None:
        spec = seg.spec
        loop = spec.loop_id if spec is not None else ""
        tag = seg.elements[0]
        if tag == "HL":
            self.birth = None
        claim = self.claim
        if loop not in CLAIM_LOOPS:
            claim = self.claim = None
        elif tag == "CLM" and loop == "2300":
            claim = self.claim = _Claim(
                seg, seg.ordinal - self.base, seg.ordinal - self.base, amount(seg.get(2))
            )
            self.claims.append(claim)
        if claim is not None:
            claim.last = seg.ordinal - self.base
            self.in_claim(claim, seg, tag, self.birth, self.today)
        elif tag == "NM1":
            if seg.get(8) == "XX" and not npi_valid(seg.get(9)):
                self.element_finding(
                    seg, "provider.npi", "NM109 is not a valid NPI (check digit)", 9, "7", "67"
                )
        elif tag == "DMG" and loop in PERSON_LOOPS and seg.get(1) == "D8":
            birth = self.birth = parse_date(seg.get(2))
            if birth is not None and (birth > self.today or birth.year < 1900):
                self.element_finding(
                    seg,
                    "person.birth_date",
                    "DMG02 birth date is in the future or before 1900",
                    2,
                    "8",
                    "1251",
                )

    def finish(self) -> list[Finding]:
        for c in self.claims:
            if c.total is not None and c.total != c.lines:
                self.claim_finding(
                    c,
                    c.clm,
                    "claim.unbalanced",
                    "CLM02 does not equal the sum of the service line charges",
                    "A7:400",
                    3,
                    2,
                )
        _assign(self.ts, self.claims)
        return self.out

    def in_claim(
        self, claim: _Claim, seg: Segment, tag: str, birth: dt.date | None, today: dt.date
    ) -> None:
        pos = LINE_CHARGE.get(tag)
        if pos is not None:
            claim.lines += amount(seg.get(pos)) or Decimal(0)
        elif tag == "NM1":
            if seg.get(8) == "XX" and not npi_valid(seg.get(9)):
                self.claim_finding(
                    claim,
                    seg,
                    "claim.npi",
                    "NM109 is not a valid NPI (check digit)",
                    "A7:562",
                    5,
                    9,
                )
        elif tag == "HI":
            comp = seg.delims.component
            for i in range(1, len(seg.elements)):
                parts = seg.elements[i].split(comp)
                if len(parts) >= 2 and parts[0] in ICD10CM_QUALIFIERS:
                    code = parts[1]
                    if not icd10cm_form(code):
                        self.claim_finding(
                            claim,
                            seg,
                            "claim.icd10_form",
                            f"HI{i:02d} is not an ICD-10-CM code",
                            "A7:255",
                            5,
                            i,
                        )
                    elif self.ctx.error_level >= 5 and not icd10cm_known(code):
                        self.claim_finding(
                            claim,
                            seg,
                            "claim.icd10_unknown",
                            f"HI{i:02d} is not in the ICD-10-CM code list",
                            "A7:255",
                            5,
                            i,
                        )
        elif tag == "DTP":
            start, end = date_range(seg.get(2), seg.get(3))
            if start is None or end is None:
                return
            if start > end:
                self.claim_finding(
                    claim,
                    seg,
                    "claim.date_range",
                    "DTP03 date range ends before it starts",
                    "A7:187",
                    5,
                    3,
                )
            elif seg.get(1) in SERVICE_DATES:
                if end > today:
                    self.claim_finding(
                        claim,
                        seg,
                        "claim.future_service",
                        "Service date is in the future",
                        "A7:187",
                        5,
                        3,
                    )
                elif birth is not None and start < birth:
                    self.claim_finding(
                        claim,
                        seg,
                        "claim.before_birth",
                        "Service date is before the patient's birth date",
                        "A7:187",
                        5,
                        3,
                    )


def _assign(ts: TransactionSet, claims: list[_Claim]) -> None:
    """Tie SNIP 1-2 findings inside a claim to that claim, so the claim alone is rejected."""
    if not claims or not ts.findings:
        return
    out = []
    for f in ts.findings:
        if f.claim is None and f.position is not None and f.loop in CLAIM_LOOPS:
            # a missing segment is reported at the segment after the claim's last one
            slack = 0 if f.ordinal is not None else 1
            for c in claims:
                if c.first <= f.position <= c.last + slack:
                    f = replace(f, claim=c.clm.ordinal, stc=f.stc or "A7:21")
                    break
        out.append(f)
    ts.findings[:] = out
