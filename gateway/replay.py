"""Replay: parse -> validate -> store an interchange again from its stored bytes, with today's
code, maps and plugins; and corrections, stored as new versions of an interchange.

Why it is shaped this way:

* One database transaction per interchange, under a per-interchange advisory lock taken
  with ``pg_try_advisory_xact_lock``: the groups, transaction sets and normalized records
  of the earlier attempt are replaced in the same transaction that writes the new ones, so
  a reader never sees both (no duplicates) or neither; a second replay of the same
  interchange meanwhile gets :class:`ReplayConflict` at once instead of queueing up.
* Transaction-set and group rows are updated in place when the same set (byte offset and
  control number) is read again, so their IDs, which clients and other tables hold, stay.
* The raw bytes are only read. A correction is a new upload and a new interchange row
  (``version_of_id`` -> the one it corrects); the corrected interchange becomes
  ``superseded`` and hands its normalized records over, its bytes untouched.
* Acknowledgments are re-issued (with new control numbers from the partner's counter) only
  when their content, without control numbers and dates, changed: a partner is not sent a
  second, identical 999 because we upgraded.
* A dry run does all of it and rolls back: what it shows is exactly what a real run does.
* Every run, including the first ingest, leaves an :class:`~gateway.store.models.Attempt`
  row: when, by whom, the outcome, finding codes and counts, what changed. No PHI: codes,
  IDs and counts only (the diff of a correction lists segments, for administrators).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Select, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import audit
from gateway.ingest import (
    _allocate,
    _events,
    _normalize,
    _sha,
    ack_fingerprint,
    default_registry,
    duplicate_control,
    group_values,
    set_values,
)
from gateway.outbox import place_acknowledgments
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.models import Attempt
from parsers import parse
from parsers.envelope import FunctionalGroup, Interchange, TransactionSet
from parsers.findings import Finding
from parsers.reader import (
    Event,
    FileFinding,
    GroupEnded,
    GroupStarted,
    InterchangeEnded,
    InterchangeStarted,
    TransactionRead,
)
from parsers.tokenizer import Tokenizer
from transactions.acks import AckCollector
from transactions.acks.collector import Acknowledgments, InterchangeAck
from transactions.registry import Registry

__all__ = [
    "BadCorrection",
    "ReplayConflict",
    "ReplayError",
    "ReplayNotFound",
    "ReplayResult",
    "attempt_json",
    "attempts",
    "correct",
    "create_bulk",
    "is_transient",
    "job_json",
    "record_failed_ingest",
    "record_ingest_attempts",
    "replay",
    "replay_retrying",
    "run_bulk",
    "segment_diff",
    "targets",
]

log = structlog.get_logger("x12gw.replay")


class ReplayError(Exception):
    """The interchange cannot be replayed as asked (a duplicate, superseded, a bad correction).
    Messages carry IDs only."""


class ReplayNotFound(ReplayError, LookupError):
    """No such interchange."""


class ReplayConflict(ReplayError):
    """Another replay of the same interchange holds its lock."""


class BadCorrection(ReplayError, ValueError):
    """Corrected bytes that cannot be a new version (not one interchange, nothing changed)."""


@dataclass(frozen=True)
class ReplayResult:
    interchange_id: int
    attempt_id: int | None
    dry_run: bool
    status_before: str
    status_after: str
    changed: bool
    #: IDs of the acknowledgment rows issued by this run (none on a dry run)
    acks_reissued: list[int] = field(default_factory=list)
    #: what changed: status, findings, per transaction set status/records, acknowledgment,
    #: and for a correction the segments that differ
    diff: list[dict[str, Any]] = field(default_factory=list)
    #: for a correction: the interchange it corrects (``interchange_id`` is the new version)
    version_of: int | None = None
    #: a dry run's acknowledgment would change (nothing was issued)
    acks_would_change: bool = False

    def public(self) -> dict[str, Any]:
        """The JSON the API and the CLI show."""
        return {
            "interchangeId": self.interchange_id,
            "attemptId": self.attempt_id,
            "dryRun": self.dry_run,
            "statusBefore": self.status_before,
            "statusAfter": self.status_after,
            "changed": self.changed,
            "acknowledgmentsReissued": self.acks_reissued,
            "acknowledgmentsWouldChange": self.acks_would_change,
            "diff": self.diff,
            "versionOf": self.version_of,
        }


def is_transient(exc: BaseException) -> bool:
    """A failure worth retrying by itself: the database or the network, not the data."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError)


# --- snapshots and diffs -------------------------------------------------------------------


def _codes(findings: Sequence[dict[str, Any]]) -> Counter[str]:
    return Counter(str(f.get("code", "?")) for f in findings)


@dataclass(slots=True)
class _Snapshot:
    """What an attempt left: status, finding codes, and per set (by control number) its
    status, error type and record count. IDs, codes and counts only."""

    status: str
    findings: Counter[str] = field(default_factory=Counter)
    sets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def finding_list(self) -> list[dict[str, Any]]:
        return [{"code": c, "count": n} for c, n in sorted(self.findings.items())]

    def set_list(self) -> list[dict[str, Any]]:
        return list(self.sets.values())


async def _snapshots(s: AsyncSession, ids: Sequence[int]) -> dict[int, _Snapshot]:
    """Snapshots of many interchanges in three queries (ingest records one per interchange)."""
    out: dict[int, _Snapshot] = {}
    rows = await s.execute(
        select(m.Interchange.id, m.Interchange.status, m.Interchange.findings).where(
            m.Interchange.id.in_(ids)
        )
    )
    for iid, status, findings in rows:
        out[iid] = _Snapshot(status, _codes(findings))
    groups = await s.execute(
        select(m.FunctionalGroup.interchange_id, m.FunctionalGroup.findings).where(
            m.FunctionalGroup.interchange_id.in_(ids)
        )
    )
    for iid, findings in groups:
        out[iid].findings += _codes(findings)
    counts = (
        select(m.RecordRow.transaction_set_id, func.count().label("n"))
        .where(m.RecordRow.interchange_id.in_(ids))
        .group_by(m.RecordRow.transaction_set_id)
        .subquery()
    )
    sets = await s.execute(
        select(m.TransactionSet, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.transaction_set_id == m.TransactionSet.id)
        .where(m.TransactionSet.interchange_id.in_(ids))
        .order_by(m.TransactionSet.start_offset, m.TransactionSet.id)
        .execution_options(populate_existing=True)
    )
    for ts, n in sets:
        snap = out[ts.interchange_id]
        snap.findings += _codes(ts.findings)
        key = ts.control_number
        while key in snap.sets:  # a repeated ST02 is a finding of its own; keep both apart
            key += "'"
        snap.sets[key] = {
            "id": ts.id,
            "controlNumber": ts.control_number,
            "type": ts.kind or ts.st01,
            "status": ts.status,
            "error": ts.error.split(":")[0] if ts.error else None,  # the exception type only
            "findings": len(ts.findings),
            "records": int(n),
        }
    return out


async def _snapshot(s: AsyncSession, interchange_id: int) -> _Snapshot:
    return (await _snapshots(s, [interchange_id]))[interchange_id]


_SET_KEYS = ("status", "error", "findings", "records")


def _diff(before: _Snapshot, after: _Snapshot) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if before.status != after.status:
        out.append({"what": "status", "before": before.status, "after": after.status})
    added = after.findings - before.findings
    removed = before.findings - after.findings
    if added or removed:
        out.append(
            {
                "what": "findings",
                "added": [{"code": c, "count": n} for c, n in sorted(added.items())],
                "removed": [{"code": c, "count": n} for c, n in sorted(removed.items())],
            }
        )
    for key in dict.fromkeys([*before.sets, *after.sets]):
        old, new = before.sets.get(key), after.sets.get(key)
        if old is not None and new is not None and all(old[k] == new[k] for k in _SET_KEYS):
            continue
        either = new or old or {}
        out.append(
            {
                "what": "transactionSet",
                "id": either.get("id"),
                "controlNumber": either.get("controlNumber"),
                "type": either.get("type"),
                "before": {k: old[k] for k in _SET_KEYS} if old else None,
                "after": {k: new[k] for k in _SET_KEYS} if new else None,
            }
        )
    return out


def _segments(data: bytes) -> list[str]:
    """An interchange's segments as text, split at the terminator its ISA declares."""
    text_ = data.decode("latin-1").lstrip()
    terminator = text_[105:106] if text_.startswith("ISA") and len(text_) > 105 else "~"
    return [seg.strip("\r\n") for seg in text_.split(terminator) if seg.strip("\r\n ")]


def segment_diff(original: bytes, corrected: bytes) -> list[dict[str, Any]]:
    """The segments that differ between two interchanges, by ordinal within it (1 = ISA)."""
    old, new = _segments(original), _segments(corrected)
    out: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            out.append(
                {
                    "what": "segments",
                    "op": op,
                    "at": i1 + 1,
                    "before": old[i1:i2],
                    "after": new[j1:j2],
                }
            )
    return out


# --- reading one interchange inside an open transaction --------------------------------------


class _Writer:
    """Stores one interchange's reader events in the session ``s`` (one transaction).

    ``target`` is the row to read into again (a replay), or None for a correction: then the
    row is made at the ISA, spanning ``span`` of the new upload. The groups and sets of the
    earlier attempt are updated in place when read again (same position, same control
    number), so their IDs stay; ``finish`` removes those not read again.
    """

    def __init__(
        self,
        s: AsyncSession,
        plugins: Registry,
        *,
        target: m.Interchange | None,
        upload_id: int,
        digest: str,
        span: tuple[int, int] = (0, 0),
        version_of: int | None = None,
        lineage: Sequence[int] = (),
    ) -> None:
        self.s = s
        self.plugins = plugins
        self.row = target
        self.upload_id = upload_id
        self.digest = digest
        self.span = span
        self.version_of = version_of
        self.lineage = set(lineage)
        self.acks = AckCollector()
        self.ic: Interchange | None = None
        self.count = 0
        self.file_findings: list[Finding] = []
        self.old_groups: dict[tuple[int, str], int] = {}
        self.old_sets: dict[tuple[int, str], int] = {}
        self.kept_groups: set[int] = set()
        self.kept_sets: set[int] = set()
        self.groups: dict[int, int] = {}
        self.group_seq = 0

    async def load_existing(self) -> None:
        assert self.row is not None
        rows = await self.s.execute(
            select(m.FunctionalGroup.id, m.FunctionalGroup.control_number)
            .where(m.FunctionalGroup.interchange_id == self.row.id)
            .order_by(m.FunctionalGroup.id)
        )
        for seq, (gid, control) in enumerate(rows):
            self.old_groups[(seq, control)] = gid
        sets = await self.s.execute(
            select(
                m.TransactionSet.id, m.TransactionSet.start_offset, m.TransactionSet.control_number
            ).where(m.TransactionSet.interchange_id == self.row.id)
        )
        for sid, start, control in sets:
            self.old_sets[(start, control)] = sid

    async def feed(self, event: Event) -> None:
        if isinstance(event, FileFinding):
            self.file_findings.append(event.finding)
            self.acks.feed(event)
            return
        if isinstance(event, InterchangeStarted):
            self.count += 1
            if self.count == 1:
                self.ic = event.interchange
                await self._interchange(event.interchange)
        if _interchange_of(event) is not self.ic:
            return  # one interchange only (a correction is checked to hold just one)
        if isinstance(event, GroupStarted):
            await self._group(event.group)
        elif isinstance(event, TransactionRead):
            await self._transaction(event.transaction)
        elif isinstance(event, GroupEnded):
            gid = self.groups.get(id(event.group))
            if gid is not None:
                await self.s.execute(
                    update(m.FunctionalGroup)
                    .where(m.FunctionalGroup.id == gid)
                    .values(findings=[f.public() for f in event.group.findings])
                )
        elif isinstance(event, InterchangeEnded):
            await self._interchange_ended(event.interchange)
        self.acks.feed(event)

    async def _interchange(self, ic: Interchange) -> None:
        if self.row is None:
            self.row = await self._new_row(ic)
        await self._control_clash(ic)

    async def _new_row(self, ic: Interchange) -> m.Interchange:
        same = (
            await self.s.execute(
                select(m.Interchange.id).where(
                    m.Interchange.sender_qualifier == ic.sender_qualifier,
                    m.Interchange.sender_id == ic.sender_id,
                    m.Interchange.control_number == ic.control,
                    m.Interchange.sha256 == self.digest,
                    m.Interchange.duplicate_of_id.is_(None),
                )
            )
        ).scalar()
        if same is not None:
            raise BadCorrection(f"the correction is identical to interchange #{same}")
        row = m.Interchange(
            upload_id=self.upload_id,
            start_offset=self.span[0],
            end_offset=self.span[1],
            sha256=self.digest,
            sender_qualifier=ic.sender_qualifier[:2],
            sender_id=ic.sender_id[:15],
            receiver_qualifier=ic.receiver_qualifier[:2],
            receiver_id=ic.receiver_id[:15],
            control_number=ic.control[:9],
            usage=ic.usage[:1],
            ack_requested=ic.ack_requested,
            status=m.Status.PARSED.value,
            findings=[],
            version_of_id=self.version_of,
        )
        self.s.add(row)
        await self.s.flush()
        self.lineage.add(row.id)
        return row

    async def _control_clash(self, ic: Interchange) -> None:
        """TA1 025 as at ingest: an earlier interchange of the sender, none of this one's
        versions, used the control number for other content."""
        assert self.row is not None
        clash = (
            await self.s.execute(
                select(m.Interchange.id)
                .where(
                    m.Interchange.sender_qualifier == ic.sender_qualifier,
                    m.Interchange.sender_id == ic.sender_id,
                    m.Interchange.control_number == ic.control,
                    m.Interchange.duplicate_of_id.is_(None),
                    m.Interchange.sha256 != self.digest,
                    m.Interchange.status != m.Status.SUPERSEDED.value,
                    m.Interchange.id < self.row.id,
                    m.Interchange.id.not_in(self.lineage | {self.row.id}),
                )
                .limit(1)
            )
        ).scalar()
        if clash is not None:
            ic.findings.append(duplicate_control(ic))

    async def _group(self, group: FunctionalGroup) -> None:
        assert self.row is not None
        values = group_values(group, self.row.id)
        gid = self.old_groups.get((self.group_seq, group.control[:9]))
        self.group_seq += 1
        if gid is not None:
            await self.s.execute(
                update(m.FunctionalGroup).where(m.FunctionalGroup.id == gid).values(**values)
            )
        else:
            row = m.FunctionalGroup(**values)
            self.s.add(row)
            await self.s.flush()
            gid = row.id
        self.kept_groups.add(gid)
        self.groups[id(group)] = gid

    async def _transaction(self, ts: TransactionSet) -> None:
        assert self.row is not None
        group_id = self.groups.get(id(ts.group)) if ts.group is not None else None
        values = {**set_values(ts, self.row.id, group_id), "error": None}
        sid = self.old_sets.get((ts.start_offset, ts.control[:9]))
        if sid is not None and sid not in self.kept_sets:
            await self.s.execute(delete(m.RecordRow).where(m.RecordRow.transaction_set_id == sid))
            await self.s.execute(
                update(m.TransactionSet).where(m.TransactionSet.id == sid).values(**values)
            )
        else:
            row = m.TransactionSet(**values)
            self.s.add(row)
            await self.s.flush()
            sid = row.id
        self.kept_sets.add(sid)
        await _normalize(self.s, self.plugins, ts, sid, self.row.id)

    async def _interchange_ended(self, ic: Interchange) -> None:
        assert self.row is not None
        status = m.Status.REJECTED if ic.rejected else m.Status.PARSED
        await self.s.execute(
            update(m.Interchange)
            .where(m.Interchange.id == self.row.id)
            .values(status=status.value, findings=[f.public() for f in ic.findings])
        )

    async def finish(self) -> None:
        """Remove the groups and sets of the earlier attempt that this one did not read."""
        gone_sets = set(self.old_sets.values()) - self.kept_sets
        if gone_sets:
            await self.s.execute(
                delete(m.RecordRow).where(m.RecordRow.transaction_set_id.in_(gone_sets))
            )
            await self.s.execute(delete(m.TransactionSet).where(m.TransactionSet.id.in_(gone_sets)))
        gone_groups = set(self.old_groups.values()) - self.kept_groups
        if gone_groups:
            await self.s.execute(
                delete(m.FunctionalGroup).where(m.FunctionalGroup.id.in_(gone_groups))
            )

    def interchange_ack(self) -> InterchangeAck | None:
        acks = self.acks.result()
        return next((ia for ia in acks.interchanges if ia.interchange is self.ic), None)


def _interchange_of(event: Event) -> Interchange | None:
    if isinstance(event, InterchangeStarted | InterchangeEnded):
        return event.interchange
    if isinstance(event, GroupStarted | GroupEnded):
        return event.group.interchange
    if isinstance(event, TransactionRead):
        return event.transaction.interchange
    return None


# --- the pieces a run shares --------------------------------------------------------------


async def _lock(s: AsyncSession, interchange_id: int) -> None:
    """The interchange's replay lock, held until this transaction ends; never waits."""
    got = (
        await s.execute(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"),
            {"k": f"replay:{interchange_id}"},
        )
    ).scalar()
    if not got:
        raise ReplayConflict(f"interchange #{interchange_id} is being replayed")


async def _replayable(s: AsyncSession, interchange_id: int) -> m.Interchange:
    row = (
        await s.execute(
            select(m.Interchange)
            .where(m.Interchange.id == interchange_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None:
        raise ReplayNotFound(f"no interchange #{interchange_id}")
    upload_status = (
        await s.execute(select(m.Upload.status).where(m.Upload.id == row.upload_id))
    ).scalar_one()
    if upload_status == m.Status.RECEIVED:  # its ingest (a request or a job) still owns it
        raise ReplayConflict(f"interchange #{row.id} is still being ingested")
    if row.status == m.Status.DUPLICATE:
        raise ReplayError(
            f"interchange #{row.id} is a duplicate of #{row.duplicate_of_id}; replay that one"
        )
    if row.status == m.Status.SUPERSEDED:
        newer = (
            await s.execute(
                select(func.max(m.Interchange.id)).where(m.Interchange.version_of_id == row.id)
            )
        ).scalar()
        raise ReplayError(f"interchange #{row.id} was corrected by #{newer}; replay that one")
    return row


async def _raw(s: AsyncSession, row: m.Interchange) -> bytes:
    """The interchange's stored bytes, without loading the rest of a large upload."""
    length = row.end_offset - row.start_offset
    data = (
        await s.execute(
            select(func.substring(m.Upload.raw, row.start_offset + 1, length)).where(
                m.Upload.id == row.upload_id
            )
        )
    ).scalar_one()
    return bytes(data)


async def _ordinal_base(s: AsyncSession, row: m.Interchange, raw: bytes) -> int:
    """The ordinal of the segment before the ISA in its upload, so that the sets' and records'
    ordinals come out as they did when the whole upload was read."""
    first = (
        await s.execute(
            select(m.TransactionSet.start_offset, m.TransactionSet.first_ordinal)
            .where(m.TransactionSet.interchange_id == row.id)
            .order_by(m.TransactionSet.start_offset)
            .limit(1)
        )
    ).first()
    if first is None:
        isa = [f for f in row.findings if f.get("segmentId", f.get("segment_id")) == "ISA"]
        ordinal = isa[0].get("ordinal") if isa else None
        return int(ordinal) - 1 if isinstance(ordinal, int) and ordinal > 0 else 0
    tokenizer = Tokenizer()
    tokenizer.feed(raw[: first.start_offset - row.start_offset])
    tokenizer.close()
    return max(0, int(first.first_ordinal) - 1 - tokenizer.segments_read)


async def _lineage(s: AsyncSession, row: m.Interchange) -> list[int]:
    """The interchange and the ones it corrects, newest first."""
    out = [row.id]
    parent = row.version_of_id
    while parent is not None and parent not in out:
        out.append(parent)
        parent = (
            await s.execute(select(m.Interchange.version_of_id).where(m.Interchange.id == parent))
        ).scalar()
    return out


def _kinds(ia: InterchangeAck) -> list[str]:
    present = (
        ("TA1", ia.ta1 is not None),
        ("999", bool(ia.groups)),
        ("277CA", bool(ia.claim_batches)),
    )
    return [kind for kind, here in present if here]


async def _reissue(
    s: AsyncSession, writer: _Writer, interchange_id: int, lineage: Sequence[int]
) -> list[int]:
    """Store a new acknowledgment when its content differs from the last one sent for the
    interchange (or the versions it corrects); returns the new rows' IDs."""
    ia = writer.interchange_ack()
    if ia is None or not _kinds(ia):
        return []
    fingerprint = ack_fingerprint(ia)
    previous = (
        await s.execute(
            select(m.Acknowledgment)
            .where(m.Acknowledgment.interchange_id.in_(lineage))
            .order_by(m.Acknowledgment.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if previous is not None:
        same = (
            previous.fingerprint == fingerprint
            if previous.fingerprint
            else previous.summary == ia.summary()
        )
        if same:
            return []
    ic = ia.interchange
    numbers = await _allocate(s, f"{ic.sender_qualifier}:{ic.sender_id}"[:20], 3)
    x12 = Acknowledgments([ia], []).to_x12(lambda: next(numbers))
    ack = m.Acknowledgment(
        interchange_id=interchange_id,
        control_number=ic.control[:9],
        kinds=",".join(_kinds(ia)),
        x12=x12,
        summary=ia.summary(),
        fingerprint=fingerprint,
    )
    s.add(ack)
    await s.flush()
    upload_id = (
        await s.execute(select(m.Interchange.upload_id).where(m.Interchange.id == interchange_id))
    ).scalar_one()
    await place_acknowledgments(s, upload_id, x12, [ack])  # the partner's outbox, same commit
    return [ack.id]


def _attempt(
    interchange_id: int, kind: str, actor: str, snap: _Snapshot, **extra: Any
) -> m.Attempt:
    return m.Attempt(
        interchange_id=interchange_id,
        kind=kind,
        actor=actor[:120],
        finished_at=dt.datetime.now(dt.UTC),
        outcome=snap.status,
        findings=snap.finding_list(),
        sets=snap.set_list(),
        **extra,
    )


async def _record_failure(
    db: Database, interchange_id: int, kind: str, actor: str, exc: BaseException
) -> None:
    """Leave a failed attempt behind (best effort: the database may be what failed)."""
    failure = "transient" if is_transient(exc) else "permanent"
    log.warning(
        kind + ".failed", interchange=interchange_id, error=type(exc).__name__, failure=failure
    )
    try:
        async with db.session() as s:
            if await s.get(m.Interchange, interchange_id) is None:
                return
            s.add(
                m.Attempt(
                    interchange_id=interchange_id,
                    kind=kind,
                    actor=actor[:120],
                    finished_at=dt.datetime.now(dt.UTC),
                    outcome=m.Status.FAILED.value,
                    failure=failure,
                    error=type(exc).__name__,
                    findings=[],
                    sets=[],
                    diff=[],
                    acks_reissued=[],
                )
            )
            await s.commit()
    except Exception:  # the failure itself is what the caller reports
        log.warning(kind + ".failure_not_recorded", interchange=interchange_id)


# --- the public operations ----------------------------------------------------------------


async def replay(
    db: Database,
    interchange_id: int,
    *,
    actor: str,
    dry_run: bool = False,
    snip_level: int = 3,
    registry: Registry | None = None,
) -> ReplayResult:
    """Read the interchange's stored bytes again and replace what the last attempt stored.

    Raises :class:`ReplayConflict` while another replay of it runs, :class:`ReplayNotFound`,
    and :class:`ReplayError` for a duplicate or a superseded interchange."""
    plugins = registry if registry is not None else default_registry()
    try:
        async with db.session() as s:
            await _lock(s, interchange_id)
            row = await _replayable(s, interchange_id)
            before = await _snapshot(s, row.id)
            raw = await _raw(s, row)
            base = await _ordinal_base(s, row, raw)
            lineage = await _lineage(s, row)
            writer = _Writer(
                s, plugins, target=row, upload_id=row.upload_id, digest=row.sha256, lineage=lineage
            )
            await writer.load_existing()
            async for event in _events(raw, snip_level, None, base=row.start_offset, ordinal=base):
                await writer.feed(event)
            if writer.count == 0:
                raise ReplayError(f"the stored bytes of #{row.id} no longer read as an interchange")
            await writer.finish()
            after = await _snapshot(s, row.id)
            diff = _diff(before, after)
            issued = await _reissue(s, writer, row.id, lineage)
            if issued:
                diff.append({"what": "acknowledgment", "reissued": not dry_run})
            attempt_id = None
            if dry_run:
                await s.rollback()
            else:
                attempt = _attempt(
                    row.id,
                    "replay",
                    actor,
                    after,
                    diff=diff,
                    acks_reissued=[{"id": i} for i in issued],
                )
                s.add(attempt)
                await audit.record(
                    s, actor=actor, action="replay", entity="interchange", ids=[row.id]
                )
                await s.flush()
                attempt_id = attempt.id
                await s.commit()
    except ReplayError:
        raise
    except Exception as exc:
        if not dry_run:
            await _record_failure(db, interchange_id, "replay", actor, exc)
        raise
    log.info(
        "replayed",
        interchange=interchange_id,
        dry_run=dry_run,
        changed=bool(diff),
        acks=len(issued),
    )
    return ReplayResult(
        interchange_id=interchange_id,
        attempt_id=attempt_id,
        dry_run=dry_run,
        status_before=before.status,
        status_after=after.status,
        changed=bool(diff),
        acks_reissued=[] if dry_run else issued,
        diff=diff,
        acks_would_change=bool(issued),
    )


async def correct(
    db: Database,
    interchange_id: int,
    corrected: bytes,
    *,
    actor: str,
    dry_run: bool = False,
    snip_level: int = 3,
    registry: Registry | None = None,
    content_type: str | None = None,
) -> ReplayResult:
    """Store ``corrected`` as a new version of the interchange and read it; the original keeps
    its bytes and becomes ``superseded``, its normalized records replaced by the new ones.

    The answer's ``interchange_id`` is the new version (on a dry run: the original, as no
    version was kept) and ``diff`` starts with the segments that differ."""
    plugins = registry if registry is not None else default_registry()
    doc = await asyncio.to_thread(parse, corrected)
    complete = [ic for ic in doc.interchanges if ic.end_offset > ic.start_offset]
    if len(doc.interchanges) != 1 or len(complete) != 1:
        raise BadCorrection("a correction holds exactly one complete interchange (ISA to IEA)")
    span = (complete[0].start_offset, complete[0].end_offset)
    digest = _sha(corrected[span[0] : span[1]])
    try:
        async with db.session() as s:
            await _lock(s, interchange_id)
            original = await _replayable(s, interchange_id)
            if digest == original.sha256:
                raise BadCorrection("the correction is the interchange as it was stored")
            before = await _snapshot(s, original.id)
            raw = await _raw(s, original)
            changes = segment_diff(raw, corrected[span[0] : span[1]])
            lineage = await _lineage(s, original)
            posted_by = (
                await s.execute(
                    select(m.Upload.partner_id).where(m.Upload.id == original.upload_id)
                )
            ).scalar()
            upload = m.Upload(
                partner_id=posted_by,
                source=m.Source.CORRECTION.value,
                content_type=content_type,
                size=len(corrected),
                sha256=_sha(corrected),
                raw=corrected,
                status=m.Status.RECEIVED.value,
                findings=[],
            )
            s.add(upload)
            await s.flush()
            writer = _Writer(
                s,
                plugins,
                target=None,
                upload_id=upload.id,
                digest=digest,
                span=span,
                version_of=interchange_id,
                lineage=lineage,
            )
            async for event in _events(corrected, snip_level, None):
                await writer.feed(event)
            assert writer.row is not None
            new_id = writer.row.id
            await s.execute(
                update(m.Upload)
                .where(m.Upload.id == upload.id)
                .values(
                    status=m.Status.PARSED.value,
                    findings=[f.public() for f in writer.file_findings],
                )
            )
            # the original hands its records over; its bytes and its history stay
            await s.execute(delete(m.RecordRow).where(m.RecordRow.interchange_id == original.id))
            await s.execute(
                update(m.TransactionSet)
                .where(m.TransactionSet.interchange_id == original.id)
                .values(status=m.Status.SUPERSEDED.value)
            )
            await s.execute(
                update(m.Interchange)
                .where(m.Interchange.id == original.id)
                .values(status=m.Status.SUPERSEDED.value)
            )
            after = await _snapshot(s, new_id)
            diff = changes + _diff(before, after)
            issued = await _reissue(s, writer, new_id, [new_id, *lineage])
            if issued:
                diff.append({"what": "acknowledgment", "reissued": not dry_run})
            attempt_id = None
            if dry_run:
                await s.rollback()
            else:
                superseded = await _snapshot(s, original.id)
                s.add(
                    _attempt(
                        original.id,
                        "correction",
                        actor,
                        superseded,
                        diff=[{"what": "supersededBy", "id": new_id}],
                        acks_reissued=[],
                    )
                )
                attempt = _attempt(
                    new_id,
                    "correction",
                    actor,
                    after,
                    diff=diff,
                    acks_reissued=[{"id": i} for i in issued],
                )
                s.add(attempt)
                await audit.record(
                    s,
                    actor=actor,
                    action="correct",
                    entity="interchange",
                    ids=[original.id, new_id],
                )
                await s.flush()
                attempt_id = attempt.id
                await s.commit()
    except ReplayError:
        raise
    except Exception as exc:
        if not dry_run:
            await _record_failure(db, interchange_id, "correction", actor, exc)
        raise
    log.info("corrected", interchange=interchange_id, version=None if dry_run else new_id)
    return ReplayResult(
        interchange_id=interchange_id if dry_run else new_id,
        attempt_id=attempt_id,
        dry_run=dry_run,
        status_before=before.status,
        status_after=after.status,
        changed=True,
        acks_reissued=[] if dry_run else issued,
        diff=diff,
        version_of=interchange_id,
        acks_would_change=bool(issued),
    )


async def attempts(session: AsyncSession, interchange_id: int) -> list[Attempt]:
    """The interchange's attempts, oldest first."""
    rows = await session.execute(
        select(m.Attempt).where(m.Attempt.interchange_id == interchange_id).order_by(m.Attempt.id)
    )
    return list(rows.scalars())


def attempt_json(a: Attempt) -> dict[str, Any]:
    return {
        "id": a.id,
        "interchangeId": a.interchange_id,
        "kind": a.kind,
        "actor": a.actor,
        "startedAt": a.started_at.isoformat() if a.started_at else None,
        "finishedAt": a.finished_at.isoformat() if a.finished_at else None,
        "outcome": a.outcome,
        "failure": a.failure,
        "error": a.error,
        "findings": a.findings,
        "transactionSets": a.sets,
        "diff": a.diff,
        "acknowledgmentsReissued": [x.get("id") for x in a.acks_reissued],
    }


async def record_failed_ingest(
    s: AsyncSession, upload_id: int, interchange_ids: Sequence[int], exc: BaseException
) -> None:
    """A failed first attempt for each interchange an ingest had begun when it failed."""
    if not interchange_ids:
        return
    source, partner_id = (
        await s.execute(
            select(m.Upload.source, m.Upload.partner_id).where(m.Upload.id == upload_id)
        )
    ).one()
    for iid in dict.fromkeys(interchange_ids):
        s.add(
            m.Attempt(
                interchange_id=iid,
                kind="ingest",
                actor=f"partner:{partner_id}" if partner_id else source,
                finished_at=dt.datetime.now(dt.UTC),
                outcome=m.Status.FAILED.value,
                failure="transient" if is_transient(exc) else "permanent",
                error=type(exc).__name__,
                findings=[],
                sets=[],
                diff=[],
                acks_reissued=[],
            )
        )


async def record_ingest_attempts(
    s: AsyncSession, upload_id: int, interchange_ids: Sequence[int]
) -> None:
    """The first attempt of each interchange of an upload, added to the ingest's session."""
    if not interchange_ids:
        return
    source, partner_id = (
        await s.execute(
            select(m.Upload.source, m.Upload.partner_id).where(m.Upload.id == upload_id)
        )
    ).one()
    actor = f"partner:{partner_id}" if partner_id else source
    snaps = await _snapshots(s, list(dict.fromkeys(interchange_ids)))
    for iid, snap in snaps.items():
        s.add(_attempt(iid, "ingest", actor, snap, diff=[], acks_reissued=[]))


#: the filter keys of a bulk replay (the JSON body of ``POST /v1/replays``)
FILTER_KEYS = ("status", "sender", "type", "receivedFrom", "receivedTo", "findingCode")


def _has_code(column: Any, code: str) -> Any:
    return column.contains([{"code": code}])


def targets(filter: dict[str, Any]) -> Select[int]:
    """The IDs of the interchanges a bulk replay filter selects, oldest first.

    ``status`` matches the interchange's status or any of its transaction sets' (so
    ``failed`` finds the sets a plugin failed); ``type`` is an ST01 (837) or guide (837P);
    ``findingCode`` a finding on the interchange, a group or a set. Duplicates and
    superseded interchanges are never replayed (their original or newer version is)."""
    sets = select(m.TransactionSet.interchange_id)
    query = select(m.Interchange.id).where(
        m.Interchange.status.not_in([m.Status.DUPLICATE.value, m.Status.SUPERSEDED.value])
    )
    if status := filter.get("status"):
        query = query.where(
            (m.Interchange.status == status)
            | m.Interchange.id.in_(sets.where(m.TransactionSet.status == status))
        )
    if sender := filter.get("sender"):
        qualifier, _, ident = str(sender).rpartition(":")
        query = query.where(m.Interchange.sender_id == ident)
        if qualifier:
            query = query.where(m.Interchange.sender_qualifier == qualifier)
    if kind := filter.get("type"):
        column = m.TransactionSet.st01 if str(kind).isdigit() else m.TransactionSet.kind
        query = query.where(m.Interchange.id.in_(sets.where(column == kind)))
    if since := filter.get("receivedFrom"):
        query = query.where(m.Interchange.received_at >= _when(since))
    if until := filter.get("receivedTo"):
        query = query.where(m.Interchange.received_at < _when(until))
    if code := filter.get("findingCode"):
        query = query.where(
            _has_code(m.Interchange.findings, code)
            | m.Interchange.id.in_(sets.where(_has_code(m.TransactionSet.findings, code)))
            | m.Interchange.id.in_(
                select(m.FunctionalGroup.interchange_id).where(
                    _has_code(m.FunctionalGroup.findings, code)
                )
            )
        )
    return query.order_by(m.Interchange.id)


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time())
    else:
        when = dt.datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


# --- retries and bulk replays -------------------------------------------------------------

#: waits before the second, third and fourth try after a transient failure (seconds)
RETRY_DELAYS = (0.5, 2.0, 8.0)
#: at most this many interchange IDs per list in a bulk replay's result
_RESULT_IDS = 1000


async def replay_retrying(
    db: Database,
    interchange_id: int,
    *,
    actor: str,
    snip_level: int = 3,
    registry: Registry | None = None,
    delays: Sequence[float] = RETRY_DELAYS,
) -> ReplayResult:
    """:func:`replay`, tried again after a transient failure (the database or the network)
    with growing waits; a permanent failure is raised at once and waits for a person."""
    for delay in (*delays, None):
        try:
            return await replay(
                db, interchange_id, actor=actor, snip_level=snip_level, registry=registry
            )
        except Exception as exc:
            if delay is None or isinstance(exc, ReplayError) or not is_transient(exc):
                raise
            log.info("replay.retry", interchange=interchange_id, wait=delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def run_bulk(
    db: Database,
    job_id: int,
    *,
    snip_level: int = 3,
    registry: Registry | None = None,
    delays: Sequence[float] = RETRY_DELAYS,
    batch: int = 100,
) -> dict[str, Any]:
    """Run bulk replay job ``job_id``: every interchange its filter selects, oldest first,
    with progress saved after each one. A run after a crash (or a transient failure that
    outlasted the retries, which is raised for the task queue to retry the job) resumes
    after the last interchange finished."""
    async with db.session() as s:
        job = await s.get(m.ReplayJob, job_id, with_for_update=True)
        if job is None:
            raise LookupError(f"no replay job #{job_id}")
        if job.status == "done":
            return job.result
        if not job.upto_id:
            job.upto_id = int(await s.scalar(select(func.max(m.Interchange.id))) or 0)
            selected = targets(job.filter).where(m.Interchange.id <= job.upto_id)
            job.total = int(
                await s.scalar(select(func.count()).select_from(selected.subquery())) or 0
            )
        job.status, job.attempts = "running", job.attempts + 1
        job.updated_at = dt.datetime.now(dt.UTC)
        actor, last, upto, filter = job.actor, job.last_id, job.upto_id, dict(job.filter)
        result: dict[str, Any] = {"changed": [], "failed": [], "conflicts": [], "skipped": []}
        result.update(job.result or {})
        await s.commit()
    selected = targets(filter).where(m.Interchange.id <= upto)
    while True:
        async with db.session() as s:
            ids = list(await s.scalars(selected.where(m.Interchange.id > last).limit(batch)))
        if not ids:
            break
        for iid in ids:
            outcome, changed = await _bulk_one(db, iid, actor, snip_level, registry, delays)
            if outcome == "transient":
                await _save_progress(db, job_id, last, result, status="queued")
                raise _Transient(f"interchange #{iid}: a transient failure outlasted the retries")
            if outcome != "done":
                result[outcome] = [*result[outcome], iid][:_RESULT_IDS]
            elif changed:
                result["changed"] = [*result["changed"], iid][:_RESULT_IDS]
            last = iid
            await _save_progress(
                db, job_id, last, result, step=1, changed=int(changed), failed=outcome == "failed"
            )
    await _save_progress(db, job_id, last, result, status="done")
    log.info("replay.bulk_done", job=job_id, changed=len(result["changed"]))
    return result


class _Transient(OSError):
    """Raised to the task queue, whose retry strategy runs the job again later."""


async def _bulk_one(
    db: Database,
    interchange_id: int,
    actor: str,
    snip_level: int,
    registry: Registry | None,
    delays: Sequence[float],
) -> tuple[str, bool]:
    try:
        out = await replay_retrying(
            db,
            interchange_id,
            actor=actor,
            snip_level=snip_level,
            registry=registry,
            delays=delays,
        )
    except ReplayConflict:
        return "conflicts", False
    except ReplayError:
        return "skipped", False
    except Exception as exc:
        if is_transient(exc):
            return "transient", False
        return "failed", False  # its failed attempt is recorded; a person looks at it
    return "done", out.changed


async def _save_progress(
    db: Database,
    job_id: int,
    last: int,
    result: dict[str, Any],
    *,
    status: str | None = None,
    step: int = 0,
    changed: int = 0,
    failed: bool = False,
) -> None:
    values: dict[str, Any] = {
        "last_id": last,
        "result": result,
        "done": m.ReplayJob.done + step,
        "changed": m.ReplayJob.changed + changed,
        "failed": m.ReplayJob.failed + int(failed),
        "updated_at": dt.datetime.now(dt.UTC),
    }
    if status is not None:
        values["status"] = status
    async with db.session() as s:
        await s.execute(update(m.ReplayJob).where(m.ReplayJob.id == job_id).values(**values))
        await s.commit()


async def create_bulk(db: Database, filter: dict[str, Any], *, actor: str) -> int:
    """A queued bulk replay job for ``filter`` (see :func:`targets`)."""
    async with db.session() as s:
        job = m.ReplayJob(
            actor=actor[:120],
            filter={k: v for k, v in filter.items() if k in FILTER_KEYS and v not in (None, "")},
            status="queued",
            attempts=0,
            total=0,
            done=0,
            changed=0,
            failed=0,
            upto_id=0,
            last_id=0,
            result={},
        )
        s.add(job)
        await s.commit()
        return job.id


def job_json(job: m.ReplayJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "filter": job.filter,
        "actor": job.actor,
        "attempts": job.attempts,
        "progress": {
            "total": job.total,
            "done": job.done,
            "changed": job.changed,
            "failed": job.failed,
        },
        "result": job.result or None,
        "error": job.error,
        "createdAt": job.created_at.isoformat() if job.created_at else None,
        "updatedAt": job.updated_at.isoformat() if job.updated_at else None,
    }
