"""An upstream that answers a forwarded request with a TA1 or 999 instead of the response.

That is the trading partner's standard answer to a request it could not take (a bad
envelope, a rejected transaction set), so the X12 callers (``POST /v1/realtime``,
``POST /core/realtime``) get it as their answer, as they would get the gateway's own
TA1/999. The JSON endpoints cannot carry an X12 acknowledgment: they answer a 502 problem
that names the acknowledgment's codes (:func:`ack_codes`: codes only, never the IK4 copy
of the bad data, which may be PHI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.responders.upstream import UpstreamError


@dataclass(frozen=True, slots=True)
class AckCodes:
    #: "999" when the interchange holds a 999 (with or without a TA1), else "TA1"
    kind: str
    #: the codes, JSON-ready: ``ta1``, ``transactionSets`` (IK5 with its IK3/IK4 error
    #: codes), ``functionalGroups`` (AK9)
    codes: dict[str, Any]


def _codes(values: list[str]) -> list[str]:
    return [v for v in values if v]


def ack_codes(x12: bytes) -> AckCodes | None:
    """The acknowledgment codes of a TA1/999 interchange; None when ``x12`` holds neither.

    Read from the ISA's own separators, segment by segment: an acknowledgment is small
    and flat, and one that does not parse cleanly should still show its codes.
    """
    start = x12.find(b"ISA")
    if start < 0 or len(x12) < start + 106:
        return None
    element = x12[start + 3 : start + 4]
    terminator = x12[start + 105 : start + 106]
    ta1: list[dict[str, str]] = []
    sets: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    segment_errors: list[str] = []
    element_errors: list[str] = []
    has_999 = False
    for raw in x12[start:].split(terminator):
        parts = [p.decode("latin-1").strip() for p in raw.strip().split(element)]
        tag = parts[0]
        parts += [""] * 10  # optional trailing elements may be left off
        if tag == "TA1":
            ta1.append({"acknowledgmentCode": parts[4], "noteCode": parts[5]})
        elif tag == "ST" and parts[1] == "999":
            has_999 = True
        elif tag == "IK3":
            segment_errors.append(parts[4])
        elif tag == "IK4":
            element_errors.append(parts[3])  # IK404 (a copy of the bad data) is left out
        elif tag == "IK5":
            sets.append(
                {
                    "acknowledgmentCode": parts[1],
                    "syntaxErrorCodes": _codes(parts[2:7]),
                    "segmentErrorCodes": _codes(segment_errors),
                    "elementErrorCodes": _codes(element_errors),
                }
            )
            segment_errors, element_errors = [], []
        elif tag == "AK9":
            groups.append({"acknowledgmentCode": parts[1], "syntaxErrorCodes": _codes(parts[5:10])})
    if has_999:
        return AckCodes("999", {"ta1": ta1, "transactionSets": sets, "functionalGroups": groups})
    if ta1:
        return AckCodes("TA1", {"ta1": ta1})
    return None


class UpstreamAcknowledgment(UpstreamError):
    """The upstream answered with a TA1/999: a 502 problem naming its codes for the JSON
    endpoints; the X12 endpoints catch it and answer :attr:`x12` itself."""

    def __init__(self, name: str, x12: bytes, ack: AckCodes, request_guide: str) -> None:
        super().__init__(
            502,
            "upstream-acknowledgment",
            f"The upstream {name} answered the {request_guide} with a {ack.kind} "
            "instead of a response",
        )
        self.title = "The upstream answered with an acknowledgment"
        self.x12 = x12
        self.ack_kind = ack.kind
        self.extra = {"upstream": name, "acknowledgment": {"kind": ack.kind, **ack.codes}}
