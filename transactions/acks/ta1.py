"""TA1 interchange acknowledgment."""

from __future__ import annotations

from parsers.envelope import Interchange
from parsers.findings import TA1_NO_ERROR, Severity


def ta1_values(ic: Interchange) -> tuple[str, str, str, str, str]:
    """TA101-TA105 for a received interchange: control, date, time, A/E/R, note code."""
    errors = [f for f in ic.findings if f.severity is Severity.ERROR and f.ta1]
    warnings = [f for f in ic.findings if f.severity is Severity.WARNING and f.ta1]
    if errors:
        status, note = "R", errors[0].ta1 or TA1_NO_ERROR
    elif warnings:
        status, note = "E", warnings[0].ta1 or TA1_NO_ERROR
    else:
        status, note = "A", TA1_NO_ERROR
    isa = ic.header
    control = isa.get(13).strip()
    control = control.zfill(9) if control.isdigit() and len(control) <= 9 else "000000000"
    date = isa.get(9).strip()
    time = isa.get(10).strip()
    if not (len(date) == 6 and date.isdigit()):
        date = "000101"
    if not (len(time) == 4 and time.isdigit()):
        time = "0000"
    return control, date, time, status, note


def needs_ta1(ic: Interchange) -> bool:
    """A TA1 goes back when ISA14 asks for one or when the interchange has a problem."""
    return ic.ack_requested or any(f.ta1 and f.severity is Severity.ERROR for f in ic.findings)
