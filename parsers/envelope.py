"""Envelope records (interchange, functional group, transaction set) and header checks.

The checks here are SNIP level 1 for ISA/IEA, GS/GE and ST/SE: fixed ISA field
widths, code values, dates and times, control numbers that must match and
counts that must add up. Each finding carries its TA1 or 999 code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers import findings as F
from parsers.delimiters import Delimiters
from parsers.elements import valid_date, valid_time
from parsers.findings import Finding, Scope, Severity
from parsers.guides import Guide
from parsers.segment import Segment
from parsers.tree import Loop

# (position, fixed width, TA105 code when wrong)
_ISA_FIELDS = (
    (1, 2, F.TA1_AUTH_QUALIFIER),
    (2, 10, F.TA1_AUTH_VALUE),
    (3, 2, F.TA1_SECURITY_QUALIFIER),
    (4, 10, F.TA1_SECURITY_VALUE),
    (5, 2, F.TA1_SENDER_QUALIFIER),
    (6, 15, F.TA1_SENDER_ID),
    (7, 2, F.TA1_RECEIVER_QUALIFIER),
    (8, 15, F.TA1_RECEIVER_ID),
    (9, 6, F.TA1_DATE),
    (10, 4, F.TA1_TIME),
    (11, 1, F.TA1_STANDARDS_ID),
    (12, 5, F.TA1_VERSION_ID),
    (13, 9, F.TA1_CONTROL_NUMBER),
    (14, 1, F.TA1_ACK_REQUESTED),
    (15, 1, F.TA1_TEST_INDICATOR),
    (16, 1, F.TA1_COMPONENT_SEPARATOR),
)
_ID_QUALIFIERS = frozenset({"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"})


@dataclass(slots=True, eq=False)
class TransactionSet:
    """One ST..SE: its tree, its guide, and what was found in it."""

    header: Segment
    trailer: Segment | None = None
    root: Loop | None = None
    guide: Guide | None = None
    findings: list[Finding] = field(default_factory=list)
    segment_count: int = 0
    start_offset: int = 0
    end_offset: int = 0  # one past the trailer's terminator
    first_ordinal: int = 0
    group: FunctionalGroup | None = None
    interchange: Interchange | None = None
    #: every segment from ST to SE in read order (the tree holds the same objects)
    flat: list[Segment] = field(default_factory=list)

    @property
    def st01(self) -> str:
        return self.header.get(1)

    @property
    def control(self) -> str:
        return self.header.get(2)

    @property
    def version(self) -> str:
        st03 = self.header.get(3)
        if st03:
            return st03
        return self.group.version if self.group is not None else ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def accepted(self) -> bool:
        """No error outside business (claim-level) rules: the 999 accepts the set."""
        return not any(
            f.is_error and f.scope is not Scope.CLAIM and f.claim is None for f in self.findings
        )

    def get(self, path: str) -> str | None:
        return self.root.get(path) if self.root is not None else None

    def values(self, path: str) -> list[str]:
        return self.root.values(path) if self.root is not None else []

    def segments(self) -> list[Segment]:
        return self.flat or [self.header]


@dataclass(slots=True, eq=False)
class TransactionSummary:
    """What a group keeps of a transaction set once its tree is handed on."""

    st01: str
    control: str
    version: str
    guide: str | None
    findings: list[Finding]
    accepted: bool


@dataclass(slots=True, eq=False)
class FunctionalGroup:
    header: Segment
    trailer: Segment | None = None
    findings: list[Finding] = field(default_factory=list)
    transactions: list[TransactionSummary] = field(default_factory=list)
    interchange: Interchange | None = None
    set_count: int = 0  # ST segments seen, for GE01

    @property
    def functional_id(self) -> str:
        return self.header.get(1)

    @property
    def control(self) -> str:
        return self.header.get(6)

    @property
    def version(self) -> str:
        return self.header.get(8)

    @property
    def sender(self) -> str:
        return self.header.get(2)

    @property
    def receiver(self) -> str:
        return self.header.get(3)


@dataclass(slots=True, eq=False)
class Interchange:
    header: Segment
    delimiters: Delimiters
    trailer: Segment | None = None
    findings: list[Finding] = field(default_factory=list)
    groups: list[FunctionalGroup] = field(default_factory=list)
    ta1s: list[Segment] = field(default_factory=list)
    #: segments found where the envelope has no place for them (kept, never dropped)
    stray: list[Segment] = field(default_factory=list)
    start_offset: int = 0
    end_offset: int = 0

    @property
    def control(self) -> str:
        return self.header.get(13)

    @property
    def sender_qualifier(self) -> str:
        return self.header.get(5).strip()

    @property
    def sender_id(self) -> str:
        return self.header.get(6).strip()

    @property
    def receiver_qualifier(self) -> str:
        return self.header.get(7).strip()

    @property
    def receiver_id(self) -> str:
        return self.header.get(8).strip()

    @property
    def usage(self) -> str:
        return self.header.get(15)

    @property
    def ack_requested(self) -> bool:
        return self.header.get(14) == "1"

    @property
    def rejected(self) -> bool:
        """An error at interchange level: the TA1 rejects the whole interchange."""
        return any(f.is_error and f.scope is Scope.INTERCHANGE for f in self.findings)


def _isa_finding(
    code: str,
    message: str,
    ta1: str,
    isa: Segment,
    element: int | None = None,
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(
        code,
        message,
        severity=severity,
        scope=Scope.INTERCHANGE,
        ta1=ta1,
        interchange=isa.get(13).strip() or None,
        segment_id="ISA",
        ordinal=isa.ordinal,
        offset=isa.offset,
        element=element,
    )


def check_isa(isa: Segment, repairs_are_warnings: bool) -> list[Finding]:
    out: list[Finding] = []
    els = isa.elements
    if len(els) != 17:
        out.append(
            _isa_finding(
                "isa.element_count", "ISA must have 16 elements", F.TA1_CONTROL_STRUCTURE, isa
            )
        )
        return out
    for pos, width, ta1 in _ISA_FIELDS:
        value = els[pos]
        if len(value) != width:
            out.append(
                _isa_finding(
                    "isa.width",
                    f"ISA{pos:02d} must be exactly {width} characters",
                    ta1,
                    isa,
                    pos,
                    Severity.WARNING if repairs_are_warnings and value.strip() else Severity.ERROR,
                )
            )
    checks: list[tuple[int, bool, str, str]] = [
        (
            1,
            els[1] in ("00", "03"),
            F.TA1_AUTH_QUALIFIER,
            "ISA01 authorization qualifier is invalid",
        ),
        (
            3,
            els[3] in ("00", "01"),
            F.TA1_SECURITY_QUALIFIER,
            "ISA03 security qualifier is invalid",
        ),
        (
            5,
            els[5].strip() in _ID_QUALIFIERS,
            F.TA1_SENDER_QUALIFIER,
            "ISA05 sender ID qualifier is invalid",
        ),
        (6, bool(els[6].strip()), F.TA1_SENDER_ID, "ISA06 sender ID is blank"),
        (
            7,
            els[7].strip() in _ID_QUALIFIERS,
            F.TA1_RECEIVER_QUALIFIER,
            "ISA07 receiver ID qualifier is invalid",
        ),
        (8, bool(els[8].strip()), F.TA1_RECEIVER_ID, "ISA08 receiver ID is blank"),
        (
            9,
            valid_date(els[9].strip()) and len(els[9].strip()) == 6,
            F.TA1_DATE,
            "ISA09 is not a valid YYMMDD date",
        ),
        (
            10,
            valid_time(els[10].strip()) and len(els[10].strip()) == 4,
            F.TA1_TIME,
            "ISA10 is not a valid HHMM time",
        ),
        (12, els[12].strip() == "00501", F.TA1_VERSION_ID, "ISA12 version is not 00501"),
        (
            13,
            els[13].strip().isdigit(),
            F.TA1_CONTROL_NUMBER,
            "ISA13 control number must be numeric",
        ),
        (14, els[14] in ("0", "1"), F.TA1_ACK_REQUESTED, "ISA14 must be 0 or 1"),
        (15, els[15] in ("P", "T"), F.TA1_TEST_INDICATOR, "ISA15 usage indicator must be P or T"),
    ]
    for pos, ok, ta1, message in checks:
        if not ok:
            if pos == 12 and els[12].strip().isdigit():
                ta1 = F.TA1_VERSION_NOT_SUPPORTED
            out.append(_isa_finding(f"isa.{pos:02d}", message, ta1, isa, pos))
    rep = els[11]
    if len(rep) == 1 and (rep.isalnum() or rep == " "):
        out.append(
            _isa_finding(
                "repair.isa11_not_separator",
                "ISA11 holds a 4010-style standards identifier instead of a repetition separator",
                F.TA1_STANDARDS_ID,
                isa,
                11,
                Severity.WARNING if repairs_are_warnings else Severity.ERROR,
            )
        )
    return out


def check_gs(gs: Segment, interchange: str | None) -> list[Finding]:
    out: list[Finding] = []

    def add(pos: int, message: str, ak9: str | None = None) -> None:
        out.append(
            Finding(
                f"gs.{pos:02d}",
                message,
                scope=Scope.GROUP,
                ak9=ak9,
                interchange=interchange,
                group=gs.get(6) or None,
                segment_id="GS",
                ordinal=gs.ordinal,
                offset=gs.offset,
                element=pos,
            )
        )

    if len(gs.elements) < 9:
        add(len(gs.elements), "GS must have 8 elements", F.AK9_NOT_SUPPORTED)
        return out
    if not 2 <= len(gs.get(2)) <= 15:
        add(2, "GS02 sender code must be 2 to 15 characters")
    if not 2 <= len(gs.get(3)) <= 15:
        add(3, "GS03 receiver code must be 2 to 15 characters")
    if len(gs.get(4)) != 8 or not valid_date(gs.get(4)):
        add(4, "GS04 is not a valid CCYYMMDD date")
    if not valid_time(gs.get(5)):
        add(5, "GS05 is not a valid time")
    control = gs.get(6)
    if not (control.isdigit() and 1 <= len(control) <= 9):
        add(6, "GS06 group control number must be 1 to 9 digits", "6")
    if gs.get(7) != "X":
        add(7, "GS07 responsible agency code must be X")
    if not gs.get(8).startswith("00501"):
        add(8, "GS08 is not a 005010 implementation guide", F.AK9_VERSION_NOT_SUPPORTED)
    return out
