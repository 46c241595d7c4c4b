"""Ingest: raw bytes first, then envelopes, findings, normalized records and acknowledgments.

1. The upload's bytes are committed before anything else reads them: whatever
   fails later, what the client sent is kept, byte for byte.
2. A reader thread streams events (the engine is pure CPU) through a bounded
   queue, so memory holds one transaction set at a time, whatever the file's size.
3. Each interchange is stored as soon as its ISA is read, under a per-sender
   advisory lock: the same sender, control number and content again is a
   duplicate (kept as a pointer to the original and answered with the original's
   acknowledgments); the same control number with other content is rejected with
   TA1 note 025.
4. Each transaction set is stored in its own database transaction with its
   findings and byte range, and its plugin's normalized records in a savepoint:
   a plugin failure fails that set only.
5. TA1/999/277CA are built from the same events and stored with control numbers
   unique per partner.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import functools
import hashlib
import re
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.outbox import place_acknowledgments
from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import COPY_THRESHOLD, PreparedRows, prepare_rows, store_records
from parsers import findings as F
from parsers.envelope import FunctionalGroup, Interchange, TransactionSet
from parsers.findings import Finding, Scope
from parsers.reader import (
    Event,
    FileFinding,
    GroupEnded,
    GroupStarted,
    InterchangeEnded,
    InterchangeStarted,
    TransactionRead,
)
from transactions.acks import AckCollector
from transactions.acks.collector import Acknowledgments, InterchangeAck
from transactions.records import Record
from transactions.registry import Registry, load_registry
from transactions.rules import checker

#: Called with (bytes read so far, total bytes) as a large input is ingested.
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class InterchangeOutcome:
    id: int
    control_number: str
    status: str
    duplicate_of: int | None = None
    transaction_sets: list[int] = field(default_factory=list)


@dataclass(slots=True)
class IngestResult:
    upload_id: int
    interchanges: list[InterchangeOutcome]
    acks: bytes
    ack_summary: dict[str, Any]
    findings: list[dict[str, Any]]

    @property
    def duplicate(self) -> bool:
        return bool(self.interchanges) and all(
            i.status == m.Status.DUPLICATE for i in self.interchanges
        )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def duplicate_control(ic: Interchange) -> Finding:
    """TA1 025: the sender used this ISA13 before, for other content."""
    return Finding(
        "isa.duplicate_control",
        "ISA13 repeats a control number this sender used for other content",
        scope=Scope.INTERCHANGE,
        ta1=F.TA1_DUPLICATE,
        interchange=ic.control,
        segment_id="ISA",
        ordinal=ic.header.ordinal,
        offset=ic.header.offset,
        element=13,
    )


def group_values(group: FunctionalGroup, interchange_id: int) -> dict[str, Any]:
    """The ``functional_group`` row of a GS envelope (ingest and replay write the same)."""
    return {
        "interchange_id": interchange_id,
        "functional_id": group.functional_id[:2],
        "control_number": group.control[:9],
        "sender": group.sender[:15],
        "receiver": group.receiver[:15],
        "version": group.version[:12],
        "status": m.Status.PARSED.value,
        "findings": [f.public() for f in group.findings],
    }


def set_values(ts: TransactionSet, interchange_id: int, group_id: int | None) -> dict[str, Any]:
    """The ``transaction_set`` row of an ST/SE envelope, before its records are stored."""
    return {
        "interchange_id": interchange_id,
        "group_id": group_id,
        "st01": ts.st01[:3],
        "kind": ts.guide.name if ts.guide else None,
        "guide": ts.guide.id if ts.guide else None,
        "version": ts.version[:35],
        "control_number": ts.control[:9],
        "status": (m.Status.PARSED if ts.accepted else m.Status.REJECTED).value,
        "accepted": ts.accepted,
        "findings": [f.public() for f in ts.findings],
        "start_offset": ts.start_offset,
        "end_offset": ts.end_offset,
        "first_ordinal": ts.first_ordinal,
        "segment_count": ts.segment_count,
    }


def ack_fingerprint(ia: InterchangeAck) -> str:
    """The acknowledgment's content without its control numbers and dates: a replay
    re-issues acknowledgments only when this changes."""
    fixed = Acknowledgments([ia], []).to_x12(lambda: 1, when=dt.datetime(2000, 1, 1))
    return _sha(fixed)


@functools.cache
def default_registry() -> Registry:
    return load_registry()


async def store_upload(
    db: Database,
    data: bytes,
    source: m.Source,
    filename: str | None = None,
    content_type: str | None = None,
    partner_id: int | None = None,
) -> int:
    async with db.session() as s:
        upload = m.Upload(
            partner_id=partner_id,
            source=source.value,
            filename=filename,
            content_type=content_type,
            size=len(data),
            sha256=_sha(data),
            raw=data,
            status=m.Status.RECEIVED.value,
            findings=[],
        )
        s.add(upload)
        await s.commit()
        return upload.id


#: Transaction sets the reader thread may have read (and normalized) ahead of the one
#: being stored: bounds memory to a few sets' trees and records, whatever the file's size.
READ_AHEAD = 2


@dataclass(slots=True)
class Prepared:
    """A transaction set's plugin output, made in the reader thread: its records (and, for
    a large set, its row values) or the exception the plugin raised."""

    records: list[Record] = field(default_factory=list)
    rows: PreparedRows | None = None
    error: Exception | None = None


def prepare(plugins: Registry, ts: TransactionSet) -> Prepared | None:
    """The set's normalized records, or None when the set is not normalized (no plugin,
    no tree, or rejected). Pure CPU: runs in the reader thread, off the event loop."""
    plugin = plugins.for_guide(ts.guide.name) if ts.guide is not None else None
    if plugin is None or ts.root is None or not ts.accepted:
        return None
    try:
        records = plugin.read(ts)
    except Exception as exc:  # reported when the set is stored, as if raised there
        return Prepared(error=exc)
    try:
        rows = prepare_rows(records) if len(records) >= COPY_THRESHOLD else None
    except Exception:  # store_records meets (and reports) the same problem
        rows = None
    return Prepared(records, rows)


class _Stopped(Exception):
    """The consumer went away: the reader thread stops."""


async def _stream(
    data: bytes,
    snip_level: int,
    progress: Progress | None,
    *,
    base: int = 0,
    ordinal: int = 0,
    plugins: Registry | None = None,
    skip: set[int] | None = None,
) -> AsyncGenerator[tuple[Event, Prepared | None], None]:
    """The reader's events, produced in a thread and handed over through a bounded queue;
    with ``plugins``, each transaction set comes with :func:`prepare`'s output, made in the
    thread too (at most ``READ_AHEAD`` sets ahead of the consumer), except for the sets of
    an interchange whose ``id()`` the consumer put in ``skip`` (a duplicate: not stored).

    ``base`` and ``ordinal`` place ``data`` inside a larger upload (a replayed interchange):
    offsets and segment ordinals come out as they were when the whole upload was read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[Event, Prepared | None] | BaseException | None] = asyncio.Queue(
        maxsize=32
    )
    room = threading.Semaphore(READ_AHEAD)
    stop = threading.Event()

    def produce() -> None:
        def put(item: tuple[Event, Prepared | None] | BaseException | None) -> None:
            future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
            while True:
                try:
                    future.result(timeout=0.5)
                    return
                except concurrent.futures.TimeoutError:
                    if stop.is_set():
                        future.cancel()
                        raise _Stopped from None

        def hand(event: Event) -> None:
            if plugins is not None and isinstance(event, TransactionRead):
                while not room.acquire(timeout=0.5):
                    if stop.is_set():
                        raise _Stopped
                ts = event.transaction
                ic = ts.interchange
                skipped = skip is not None and ic is not None and id(ic) in skip
                put((event, None if skipped else prepare(plugins, ts)))
            else:
                put((event, None))

        try:
            step = 1 << 20
            from parsers.reader import Reader

            reader = Reader(rules=checker(snip_level))
            reader.tokenizer._base, reader.tokenizer._ordinal = base, ordinal
            for start in range(0, len(data), step):
                for event in reader.feed(data[start : start + step]):
                    hand(event)
                if progress is not None:
                    progress(min(start + step, len(data)), len(data))
            for event in reader.close():
                hand(event)
            put(None)
        except _Stopped:
            return
        except BaseException as exc:  # handed to the consumer, never lost in the thread
            with contextlib.suppress(_Stopped):
                put(exc)

    producer = loop.run_in_executor(None, produce)
    try:
        while True:
            item = await queue.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
            if isinstance(item[0], TransactionRead) and plugins is not None:
                room.release()  # that set is stored: the thread may read another
    finally:
        stop.set()
        await producer


async def _events(
    data: bytes, snip_level: int, progress: Progress | None, *, base: int = 0, ordinal: int = 0
) -> AsyncIterator[Event]:
    """The reader's events (see :func:`_stream`)."""
    async for event, _ in _stream(data, snip_level, progress, base=base, ordinal=ordinal):
        yield event


def _tentative_end(data: bytes, ic: Interchange) -> int:
    """Where the interchange that starts at its ISA most likely ends (its IEA's terminator)."""
    d = ic.delimiters
    term = re.escape(d.segment.encode("latin-1"))
    pattern = term + rb"[\r\n]*IEA" + re.escape(d.element.encode("latin-1"))
    found = re.compile(pattern).search(data, ic.start_offset)
    if found is None:
        return len(data)
    end = data.find(d.segment.encode("latin-1"), found.end())
    if end < 0:
        return len(data)
    return end + 1  # just past the terminator, as the reader's end offset is


class _Ingest:
    def __init__(self, db: Database, upload_id: int, data: bytes, plugins: Registry) -> None:
        self.db = db
        self.upload_id = upload_id
        self.data = data
        self.plugins = plugins
        self.outcomes: dict[int, InterchangeOutcome] = {}
        self.order: list[InterchangeOutcome] = []
        self.groups: dict[int, int] = {}
        self.duplicates: set[int] = set()
        self.file_findings: list[Finding] = []
        self.acks = AckCollector()
        self.first: Interchange | None = None

    async def handle(self, event: Event, prepared: Prepared | None = None) -> None:
        if isinstance(event, FileFinding):
            self.file_findings.append(event.finding)
            self.acks.feed(event)
            return
        if isinstance(event, InterchangeStarted):
            await self._interchange(event.interchange)
        ic = _interchange_of(event)
        if ic is not None and id(ic) in self.duplicates:
            return
        if isinstance(event, GroupStarted):
            await self._group(event.group)
        elif isinstance(event, TransactionRead):
            await self._transaction(event.transaction, prepared)
        elif isinstance(event, GroupEnded):
            await self._group_ended(event.group)
        elif isinstance(event, InterchangeEnded):
            await self._interchange_ended(event.interchange)
        self.acks.feed(event)

    async def _interchange(self, ic: Interchange) -> None:
        self.first = self.first or ic
        async with self.db.session() as s:
            ic_id, status, duplicate_of = await _store_interchange(
                s, self.upload_id, ic, self.data, _tentative_end(self.data, ic)
            )
            await s.commit()
        outcome = InterchangeOutcome(ic_id, ic.control, status, duplicate_of)
        self.outcomes[id(ic)] = outcome
        self.order.append(outcome)
        if status == m.Status.DUPLICATE:
            self.duplicates.add(id(ic))

    async def _group(self, group: FunctionalGroup) -> None:
        ic = group.interchange
        outcome = self.outcomes.get(id(ic)) if ic is not None else None
        if outcome is None:
            return
        async with self.db.session() as s:
            row = m.FunctionalGroup(**group_values(group, outcome.id))
            s.add(row)
            await s.commit()
            self.groups[id(group)] = row.id

    async def _group_ended(self, group: FunctionalGroup) -> None:
        group_id = self.groups.get(id(group))
        if group_id is None:
            return
        async with self.db.session() as s:
            await s.execute(
                update(m.FunctionalGroup)
                .where(m.FunctionalGroup.id == group_id)
                .values(findings=[f.public() for f in group.findings])
            )
            await s.commit()

    async def _transaction(self, ts: TransactionSet, prepared: Prepared | None = None) -> None:
        ic = ts.interchange
        outcome = self.outcomes.get(id(ic)) if ic is not None else None
        if outcome is None:
            return
        async with self.db.session() as s:  # one database transaction per transaction set
            group_id = self.groups.get(id(ts.group)) if ts.group is not None else None
            set_id = await _store_set(s, outcome.id, group_id, ts)
            outcome.transaction_sets.append(set_id)
            await _normalize(s, self.plugins, ts, set_id, outcome.id, prepared)
            await s.commit()

    async def _interchange_ended(self, ic: Interchange) -> None:
        outcome = self.outcomes.get(id(ic))
        if outcome is None:
            return
        status = outcome.status
        if status == m.Status.PARSED and ic.rejected:
            status = outcome.status = m.Status.REJECTED.value
        digest = _sha(self.data[ic.start_offset : ic.end_offset])
        async with self.db.session() as s:
            await s.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _lock_key(ic)}
            )
            twin = (
                await s.execute(
                    select(m.Interchange.id).where(
                        m.Interchange.sender_qualifier == ic.sender_qualifier,
                        m.Interchange.sender_id == ic.sender_id,
                        m.Interchange.control_number == ic.control,
                        m.Interchange.sha256 == digest,
                        m.Interchange.duplicate_of_id.is_(None),
                        m.Interchange.id != outcome.id,
                    )
                )
            ).scalar()
            values: dict[str, Any] = {
                "end_offset": ic.end_offset,
                "sha256": digest,
                "status": status,
                "findings": [f.public() for f in ic.findings],
            }
            if twin is not None:  # the exact end showed it is a resend after all
                values.update(status=m.Status.DUPLICATE.value, duplicate_of_id=twin)
                outcome.status, outcome.duplicate_of = m.Status.DUPLICATE.value, twin
            await s.execute(
                update(m.Interchange).where(m.Interchange.id == outcome.id).values(**values)
            )
            await s.commit()

    async def finish(self) -> IngestResult:
        acks = self.acks.result()
        resent = await _original_acks(
            self.db, [o.duplicate_of for o in self.order if o.duplicate_of]
        )
        async with self.db.session() as s:
            first = self.first
            partner = f"{first.sender_qualifier}:{first.sender_id}"[:20] if first else "unknown"
            numbers = await _allocate(s, partner, 3 * max(1, len(acks.interchanges)))
            wanted: list[tuple[InterchangeAck, InterchangeOutcome, list[str]]] = []
            for ia in acks.interchanges:
                found = self.outcomes.get(id(ia.interchange))
                kinds = [
                    kind
                    for kind, present in (
                        ("TA1", ia.ta1 is not None),
                        ("999", bool(ia.groups)),
                        ("277CA", bool(ia.claim_batches)),
                    )
                    if present
                ]
                if found is not None and kinds:
                    wanted.append((ia, found, kinds))
            # pure CPU (a 277CA line per claim, twice with the fingerprint): off the event loop
            x12, details = await asyncio.to_thread(_build_acks, acks, numbers, wanted)
            stored: list[m.Acknowledgment] = [
                m.Acknowledgment(
                    interchange_id=found.id,
                    control_number=ia.interchange.control[:9],
                    kinds=",".join(kinds),
                    x12=x12,
                    summary=summary,
                    fingerprint=fingerprint,
                )
                for (ia, found, kinds), (summary, fingerprint) in zip(wanted, details, strict=True)
            ]
            s.add_all(stored)
            await place_acknowledgments(s, self.upload_id, x12, stored)  # the partner's outbox
            from gateway.replay import record_ingest_attempts  # replay builds on this module

            await record_ingest_attempts(s, self.upload_id, [o.id for o in self.order])
            if not self.order:
                status = m.Status.REJECTED
            elif all(o.status == m.Status.DUPLICATE for o in self.order):
                status = m.Status.DUPLICATE
            else:
                status = m.Status.PARSED
            await s.execute(
                update(m.Upload)
                .where(m.Upload.id == self.upload_id)
                .values(status=status.value, findings=[f.public() for f in self.file_findings])
            )
            await s.commit()
        return IngestResult(
            upload_id=self.upload_id,
            interchanges=self.order,
            acks=x12 + resent,
            ack_summary=acks.summary(),
            findings=[f.public() for f in self.file_findings],
        )


def _build_acks(
    acks: Acknowledgments,
    numbers: Iterator[int],
    wanted: list[tuple[InterchangeAck, InterchangeOutcome, list[str]]],
) -> tuple[bytes, list[tuple[dict[str, Any], str]]]:
    """The acknowledgments' X12, and the summary and fingerprint of each one stored."""
    x12 = acks.to_x12(lambda: next(numbers))
    return x12, [(ia.summary(), ack_fingerprint(ia)) for ia, _, _ in wanted]


def _interchange_of(event: Event) -> Interchange | None:
    if isinstance(event, InterchangeStarted | InterchangeEnded):
        return event.interchange
    if isinstance(event, GroupStarted | GroupEnded):
        return event.group.interchange
    if isinstance(event, TransactionRead):
        return event.transaction.interchange
    return None


async def ingest(
    db: Database,
    data: bytes,
    *,
    source: m.Source = m.Source.UPLOAD,
    filename: str | None = None,
    content_type: str | None = None,
    snip_level: int = 3,
    registry: Registry | None = None,
    progress: Progress | None = None,
    partner_id: int | None = None,
) -> IngestResult:
    """Store ``data`` (bytes first) and everything read from it."""
    upload_id = await store_upload(db, data, source, filename, content_type, partner_id)
    return await ingest_stored(
        db, upload_id, data=data, snip_level=snip_level, registry=registry, progress=progress
    )


async def ingest_stored(
    db: Database,
    upload_id: int,
    *,
    data: bytes | None = None,
    snip_level: int = 3,
    registry: Registry | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Read and store an upload whose bytes are already stored (a job, a replay)."""
    plugins = registry if registry is not None else default_registry()
    if data is None:
        async with db.session() as s:
            upload = await s.get(m.Upload, upload_id)
            if upload is None:
                raise LookupError(f"no upload #{upload_id}")
            data = upload.raw
    state = _Ingest(db, upload_id, data, plugins)
    try:
        stream = _stream(data, snip_level, progress, plugins=plugins, skip=state.duplicates)
        async with contextlib.aclosing(stream) as events:
            async for event, prepared in events:
                await state.handle(event, prepared)
    except Exception as exc:
        # the bytes are safe; record why the rest could not be done, then re-raise
        async with db.session() as s:
            await s.execute(
                update(m.Upload)
                .where(m.Upload.id == upload_id)
                .values(status=m.Status.FAILED.value, error=f"{type(exc).__name__}"[:2000])
            )
            from gateway.replay import record_failed_ingest

            await record_failed_ingest(s, upload_id, [o.id for o in state.order], exc)
            await s.commit()
        raise
    return await state.finish()


async def _allocate(s: AsyncSession, partner: str, count: int) -> Iterator[int]:
    """Reserve ``count`` control numbers for acknowledgments sent to ``partner``."""
    await s.execute(
        insert(m.ControlCounter).values(partner=partner, next_value=1).on_conflict_do_nothing()
    )
    row = await s.execute(
        update(m.ControlCounter)
        .where(m.ControlCounter.partner == partner)
        .values(next_value=m.ControlCounter.next_value + count)
        .returning(m.ControlCounter.next_value)
    )
    end = row.scalar_one()
    return iter(range(end - count, end))


def _lock_key(ic: Interchange) -> str:
    return f"{ic.sender_qualifier}:{ic.sender_id}:{ic.control}"


async def _store_interchange(
    s: AsyncSession, upload_id: int, ic: Interchange, raw: bytes, end: int
) -> tuple[int, str, int | None]:
    """Insert an interchange; returns (id, status, duplicate_of)."""
    digest = _sha(raw[ic.start_offset : end])
    await s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _lock_key(ic)})
    same = (
        await s.execute(
            select(m.Interchange.id, m.Interchange.sha256).where(
                m.Interchange.sender_qualifier == ic.sender_qualifier,
                m.Interchange.sender_id == ic.sender_id,
                m.Interchange.control_number == ic.control,
                m.Interchange.duplicate_of_id.is_(None),
            )
        )
    ).all()
    duplicate_of = next((row.id for row in same if row.sha256 == digest), None)
    if same and duplicate_of is None:
        ic.findings.append(duplicate_control(ic))
    if duplicate_of is not None:
        status = m.Status.DUPLICATE
    elif same or ic.rejected:
        status = m.Status.REJECTED
    else:
        status = m.Status.PARSED
    row = m.Interchange(
        upload_id=upload_id,
        start_offset=ic.start_offset,
        end_offset=end,
        sha256=digest,
        sender_qualifier=ic.sender_qualifier[:2],
        sender_id=ic.sender_id[:15],
        receiver_qualifier=ic.receiver_qualifier[:2],
        receiver_id=ic.receiver_id[:15],
        control_number=ic.control[:9],
        usage=ic.usage[:1],
        ack_requested=ic.ack_requested,
        status=status.value,
        findings=[f.public() for f in ic.findings],
        duplicate_of_id=duplicate_of,
    )
    s.add(row)
    await s.flush()
    return row.id, status.value, duplicate_of


async def _store_set(
    s: AsyncSession, interchange_id: int, group_id: int | None, ts: TransactionSet
) -> int:
    row = m.TransactionSet(**set_values(ts, interchange_id, group_id))
    s.add(row)
    await s.flush()
    return row.id


async def _normalize(
    s: AsyncSession,
    plugins: Registry,
    ts: TransactionSet,
    set_id: int,
    interchange_id: int,
    prepared: Prepared | None = None,
) -> None:
    """Plugin records for the set, in a savepoint: a plugin failure fails this set only.

    ``prepared`` is :func:`prepare`'s output for ``ts`` when the reader thread made it."""
    if prepared is None:
        prepared = prepare(plugins, ts)
    if prepared is None:
        return
    try:
        async with s.begin_nested():
            if prepared.error is not None:
                raise prepared.error
            await store_records(s, set_id, interchange_id, prepared.records, prepared.rows)
    except Exception as exc:  # a plugin bug must not lose the rest of the interchange
        await s.execute(
            update(m.TransactionSet)
            .where(m.TransactionSet.id == set_id)
            .values(status=m.Status.FAILED.value, error=f"{type(exc).__name__}: {exc}"[:2000])
        )
        return
    await s.execute(
        update(m.TransactionSet)
        .where(m.TransactionSet.id == set_id)
        .values(status=m.Status.STORED.value)
    )


async def _original_acks(db: Database, originals: list[int]) -> bytes:
    """A duplicate is answered with the acknowledgments its original got."""
    if not originals:
        return b""
    async with db.session() as s:
        rows = await s.execute(
            select(m.Acknowledgment.x12)
            .where(m.Acknowledgment.interchange_id.in_(originals))
            .order_by(m.Acknowledgment.id)
        )
        return b"".join(dict.fromkeys(rows.scalars()))


async def count_rows(db: Database) -> dict[str, int]:
    out = {}
    async with db.session() as s:
        for model in (
            m.Upload,
            m.Interchange,
            m.FunctionalGroup,
            m.TransactionSet,
            m.Acknowledgment,
        ):
            query = select(func.count()).select_from(model)
            out[model.__tablename__] = (await s.execute(query)).scalar_one()
    return out
