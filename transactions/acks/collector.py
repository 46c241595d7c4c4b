"""Collects what the acknowledgments need from the reader's event stream, then writes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from parsers.delimiters import DEFAULT, Delimiters
from parsers.envelope import FunctionalGroup, Interchange
from parsers.findings import Finding, Severity
from parsers.reader import Event, FileFinding, GroupEnded, InterchangeEnded, TransactionRead
from parsers.writer import InterchangeBuilder
from transactions.acks.ack277ca import ClaimBatch, add_277ca, summarize
from transactions.acks.ack999 import SetResult, add_999
from transactions.acks.ta1 import needs_ta1, ta1_values

VERSION_999 = "005010X231A1"
VERSION_277CA = "005010X214"


@dataclass(slots=True)
class GroupAck:
    group: FunctionalGroup
    results: list[SetResult] = field(default_factory=list)


@dataclass(slots=True)
class InterchangeAck:
    """The acknowledgments owed for one received interchange."""

    interchange: Interchange
    ta1: tuple[str, str, str, str, str] | None = None
    groups: list[GroupAck] = field(default_factory=list)
    claim_batches: list[tuple[FunctionalGroup, ClaimBatch]] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.ta1 is not None and self.ta1[3] == "R"

    def summary(self) -> dict[str, Any]:
        ic = self.interchange
        out: dict[str, Any] = {
            "interchangeControlNumber": ic.control,
            "ta1": None,
            "functionalGroups": [],
            "claims": {"accepted": 0, "rejected": 0},
        }
        if self.ta1 is not None:
            out["ta1"] = {"acknowledgmentCode": self.ta1[3], "noteCode": self.ta1[4]}
        for g in self.groups:
            results = g.results
            out["functionalGroups"].append(
                {
                    "groupControlNumber": g.group.control,
                    "transactionSets": [
                        {"controlNumber": r.control, "type": r.st01, "status": r.ik5}
                        for r in results
                    ],
                    "accepted": sum(r.ik5 != "R" for r in results),
                    "received": len(results),
                }
            )
        for _, batch in self.claim_batches:
            for c in batch.claims:
                out["claims"]["accepted" if c.accepted else "rejected"] += 1
        return out


class Acknowledgments:
    """All acknowledgments for one input; ``to_x12`` writes one interchange per received one."""

    def __init__(self, interchanges: list[InterchangeAck], file_findings: list[Finding]) -> None:
        self.interchanges = interchanges
        self.file_findings = file_findings

    def summary(self) -> dict[str, Any]:
        return {
            "interchanges": [ia.summary() for ia in self.interchanges],
            "fileFindings": [f.public() for f in self.file_findings],
        }

    def to_x12(
        self,
        next_control: Callable[[], int],
        *,
        source_id: tuple[str, str] = ("ZZ", "X12GW"),
        source_name: str = "X12 GATEWAY",
        delimiters: Delimiters | None = None,
        when: dt.datetime | None = None,
    ) -> bytes:
        now = when or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        parts: list[bytes] = []
        for ia in self.interchanges:
            ic = ia.interchange
            delims = delimiters or _outbound(ic.delimiters)
            sender = (ic.receiver_qualifier or source_id[0], ic.receiver_id or source_id[1])
            receiver = (ic.sender_qualifier or "ZZ", ic.sender_id or "UNKNOWN")
            builder = InterchangeBuilder(
                sender,
                receiver,
                next_control(),
                usage=ic.usage if ic.usage in ("P", "T") else "P",
                delimiters=delims,
                when=now,
            )
            if ia.ta1 is not None:
                builder.ta1(*ia.ta1)
            if not ia.rejected:
                if ia.groups:
                    first = ia.groups[0].group
                    fa = builder.group(
                        "FA",
                        first.receiver or sender[1],
                        first.sender or receiver[1],
                        VERSION_999,
                        next_control(),
                    )
                    for g in ia.groups:
                        add_999(fa.transaction("999"), g.group, g.results)
                if ia.claim_batches:
                    first = ia.claim_batches[0][0]
                    hn = builder.group(
                        "HN",
                        first.receiver or sender[1],
                        first.sender or receiver[1],
                        VERSION_277CA,
                        next_control(),
                    )
                    for group, batch in ia.claim_batches:
                        trace = f"{group.control}{batch.st_control}"[:50]
                        add_277ca(
                            hn.transaction("277"),
                            batch,
                            source_name=source_name,
                            source_id=sender[1],
                            received=now.date(),
                            processed=now,
                            trace=trace,
                        )
            if ia.ta1 is not None or builder.groups:
                parts.append(builder.to_bytes())
        return b"".join(parts)


def _outbound(received: Delimiters) -> Delimiters:
    """Answer with the sender's separators when they are usable, else the defaults."""
    try:
        received.check()
    except ValueError:
        return DEFAULT
    if received.segment in "\r\n":
        return DEFAULT  # never answer with a line break as the terminator
    if received.repetition:
        return received
    used = {received.element, received.component, received.segment}
    repetition = next(c for c in "^{}!|" if c not in used)
    return Delimiters(
        received.element, received.component, repetition, received.segment, received.line_break
    )


class AckCollector:
    """Feed it every reader event; ``result()`` gives the acknowledgments."""

    def __init__(self) -> None:
        self._interchanges: list[InterchangeAck] = []
        self._current: dict[int, InterchangeAck] = {}
        self._groups: dict[int, GroupAck] = {}
        self._file: list[Finding] = []

    def _ack_for(self, ic: Interchange) -> InterchangeAck:
        ia = self._current.get(id(ic))
        if ia is None:
            ia = InterchangeAck(ic)
            self._current[id(ic)] = ia
            self._interchanges.append(ia)
        return ia

    def feed(self, event: Event) -> None:
        if isinstance(event, FileFinding):
            if event.finding.severity is Severity.ERROR or event.finding.code.startswith("repair."):
                self._file.append(event.finding)
        elif isinstance(event, TransactionRead):
            ts = event.transaction
            group = ts.group
            if group is None or ts.interchange is None:
                return
            self._ack_for(ts.interchange)
            ga = self._groups.setdefault(id(group), GroupAck(group))
            ga.results.append(SetResult.of(ts))
            if ts.st01 == "837" and ts.root is not None and ts.guide is not None:
                self._ack_for(ts.interchange).claim_batches.append((group, summarize(ts)))
        elif isinstance(event, GroupEnded):
            group = event.group
            ga = self._groups.pop(id(group), GroupAck(group))
            if group.functional_id == "FA":
                return  # acknowledgments are not acknowledged
            if group.interchange is not None:
                self._ack_for(group.interchange).groups.append(ga)
        elif isinstance(event, InterchangeEnded):
            ic = event.interchange
            ia = self._ack_for(ic)
            if needs_ta1(ic) or ic.rejected:
                ia.ta1 = ta1_values(ic)
            self._current.pop(id(ic), None)

    def feed_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.feed(event)

    def result(self) -> Acknowledgments:
        return Acknowledgments(self._interchanges, self._file)


def acknowledge(events: Iterable[Event]) -> Acknowledgments:
    collector = AckCollector()
    collector.feed_all(events)
    return collector.result()
