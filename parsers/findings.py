"""Findings: what a validator has to say about one place in the input.

Every finding carries the code to report in an acknowledgment (TA1 note code,
999 IK3/IK4/IK5/AK9 code), where it is (control numbers, segment ordinal and
position, byte offset, loop, element) and a plain message that never quotes
element values, so findings can be logged without leaking PHI.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, replace
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Scope(enum.StrEnum):
    """Which acknowledgment the finding belongs to."""

    FILE = "file"  # outside any interchange (bytes before ISA, empty input)
    INTERCHANGE = "interchange"  # TA1
    GROUP = "group"  # 999 AK9
    TRANSACTION = "transaction"  # 999 IK5
    SEGMENT = "segment"  # 999 IK3
    ELEMENT = "element"  # 999 IK4
    CLAIM = "claim"  # 277CA (business rules, SNIP 3-7)


# 999 IK304: segment syntax error codes
IK3_UNRECOGNIZED = "1"
IK3_UNEXPECTED = "2"
IK3_REQUIRED_MISSING = "3"
IK3_LOOP_OVER_MAX = "4"
IK3_SEGMENT_OVER_MAX = "5"
IK3_NOT_IN_SET = "6"
IK3_OUT_OF_SEQUENCE = "7"
IK3_ELEMENT_ERRORS = "8"
IK3_NOT_USED_PRESENT = "I4"
IK3_LOOP_UNDER_MIN = "I7"

# 999 IK403: element syntax error codes
IK4_REQUIRED_MISSING = "1"
IK4_CONDITIONAL_MISSING = "2"
IK4_TOO_MANY_ELEMENTS = "3"
IK4_TOO_SHORT = "4"
IK4_TOO_LONG = "5"
IK4_INVALID_CHARACTER = "6"
IK4_INVALID_CODE = "7"
IK4_INVALID_DATE = "8"
IK4_INVALID_TIME = "9"
IK4_EXCLUSION_VIOLATED = "10"
IK4_TOO_MANY_REPETITIONS = "12"
IK4_TOO_MANY_COMPONENTS = "13"
IK4_CODE_NOT_USED = "I6"
IK4_NOT_USED_PRESENT = "I10"
IK4_PATTERN_FAILURE = "I12"

# 999 IK502 / AK905 codes used here
IK5_NOT_SUPPORTED = "1"
IK5_TRAILER_MISSING = "2"
IK5_CONTROL_MISMATCH = "3"
IK5_COUNT_MISMATCH = "4"
IK5_SEGMENTS_IN_ERROR = "5"
IK5_INVALID_ID = "6"
IK5_INVALID_CONTROL = "7"
IK5_CONTROL_NOT_UNIQUE = "23"
IK5_GUIDE_NOT_SUPPORTED = "I6"
AK9_NOT_SUPPORTED = "1"
AK9_VERSION_NOT_SUPPORTED = "2"
AK9_TRAILER_MISSING = "3"
AK9_CONTROL_MISMATCH = "4"
AK9_COUNT_MISMATCH = "5"
AK9_CONTROL_NOT_UNIQUE = "19"

# TA105 interchange note codes used here
TA1_NO_ERROR = "000"
TA1_CONTROL_MISMATCH = "001"
TA1_STANDARD_NOT_SUPPORTED = "002"
TA1_VERSION_NOT_SUPPORTED = "003"
TA1_TERMINATOR_INVALID = "004"
TA1_SENDER_QUALIFIER = "005"
TA1_SENDER_ID = "006"
TA1_RECEIVER_QUALIFIER = "007"
TA1_RECEIVER_ID = "008"
TA1_AUTH_QUALIFIER = "010"
TA1_AUTH_VALUE = "011"
TA1_SECURITY_QUALIFIER = "012"
TA1_SECURITY_VALUE = "013"
TA1_DATE = "014"
TA1_TIME = "015"
TA1_STANDARDS_ID = "016"
TA1_VERSION_ID = "017"
TA1_CONTROL_NUMBER = "018"
TA1_ACK_REQUESTED = "019"
TA1_TEST_INDICATOR = "020"
TA1_GROUP_COUNT = "021"
TA1_CONTROL_STRUCTURE = "022"
TA1_PREMATURE_EOF = "023"
TA1_INVALID_CONTENT = "024"
TA1_DUPLICATE = "025"
TA1_ELEMENT_SEPARATOR = "026"
TA1_COMPONENT_SEPARATOR = "027"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or repair) at one place."""

    code: str  # stable machine name, e.g. "segment.unexpected"
    message: str  # plain English, no element values
    severity: Severity = Severity.ERROR
    scope: Scope = Scope.SEGMENT
    snip: int = 1  # WEDI SNIP level 1-7
    # codes to report
    ta1: str | None = None
    ik3: str | None = None
    ik4: str | None = None
    ik5: str | None = None
    ak9: str | None = None
    #: 277CA claim status for claim-level findings, "category:status" (e.g. "A7:400")
    stc: str | None = None
    # where
    interchange: str | None = None  # ISA13
    group: str | None = None  # GS06
    transaction: str | None = None  # ST02
    segment_id: str | None = None
    ordinal: int | None = None  # segment number in the whole input, from 1
    position: int | None = None  # segment position in its transaction set (ST = 1)
    offset: int | None = None  # byte offset of the segment
    loop: str | None = None  # TR3 loop ID
    element: int | None = None  # element position, from 1
    component: int | None = None  # component position, from 1
    repetition: int | None = None  # repetition position, from 1
    data_element: str | None = None  # data element dictionary number
    #: for an 837: ordinal of the CLM segment of the claim the finding belongs to
    claim: int | None = None
    #: The offending value, for the sender's own acknowledgment only (IK404);
    #: never part of ``message`` and dropped by :meth:`public`.
    value: str | None = field(default=None, repr=False, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def at(self, **where: Any) -> Finding:
        return replace(self, **where)

    def public(self) -> dict[str, Any]:
        """A JSON-ready dict without the offending value (safe to log and store)."""
        out = {k: v for k, v in asdict(self).items() if v is not None and k != "value"}
        out["severity"] = self.severity.value
        out["scope"] = self.scope.value
        return out

    def where(self) -> str:
        parts = []
        if self.ordinal is not None:
            parts.append(f"segment #{self.ordinal}")
        if self.segment_id:
            parts.append(self.segment_id)
        if self.position is not None and self.ordinal is None:
            parts.append(f"position {self.position} in the transaction set")
        if self.loop:
            parts.append(f"loop {self.loop}")
        if self.element is not None:
            ref = f"{self.segment_id or ''}{self.element:02d}"
            if self.component is not None:
                ref += f"-{self.component}"
            parts.append(ref)
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.message} ({self.where()}) [{self.code}]"


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


class Repairs:
    """Records a repair as a warning (lenient) or an error (strict)."""

    __slots__ = ("as_warning",)

    def __init__(self, as_warning: bool) -> None:
        self.as_warning = as_warning

    def severity(self) -> Severity:
        return Severity.WARNING if self.as_warning else Severity.ERROR
