"""Ingest: raw bytes first, then envelopes, findings and acknowledgments.

1. The upload's bytes are committed before anything else reads them: whatever
   fails later, what the client sent is kept, byte for byte.
2. The bytes are read (in a worker thread; the engine is pure CPU).
3. Each interchange is stored under a per-sender advisory lock: the same sender,
   control number and content again is a duplicate (stored as a pointer to the
   original, answered with the original's acknowledgments); the same control
   number with other content is rejected with TA1 note 025.
4. Groups and transaction sets are stored with their findings and byte ranges,
   each set in its own database transaction so one failure leaves the rest.
5. TA1/999/277CA are built and stored with control numbers unique per partner.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store import models as m
from gateway.store.db import Database
from gateway.store.records import store_records
from parsers import findings as F
from parsers.envelope import FunctionalGroup, Interchange, TransactionSet
from parsers.findings import Finding, Scope
from parsers.reader import Event, FileFinding, InterchangeStarted, TransactionRead, read
from transactions.acks import acknowledge
from transactions.registry import Registry, load_registry
from transactions.rules import checker


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


async def store_upload(
    db: Database,
    data: bytes,
    source: m.Source,
    filename: str | None = None,
    content_type: str | None = None,
) -> int:
    async with db.session() as s:
        upload = m.Upload(
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
    s: AsyncSession, upload_id: int, ic: Interchange, raw: bytes
) -> tuple[int, str, int | None]:
    """Insert an interchange; returns (id, status, duplicate_of)."""
    digest = _sha(raw[ic.start_offset : ic.end_offset])
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
        ic.findings.append(
            Finding(
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
        )
    if duplicate_of is not None:
        status = m.Status.DUPLICATE
    elif ic.rejected:
        status = m.Status.REJECTED
    else:
        status = m.Status.PARSED
    row = m.Interchange(
        upload_id=upload_id,
        start_offset=ic.start_offset,
        end_offset=ic.end_offset,
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
    row = m.TransactionSet(
        interchange_id=interchange_id,
        group_id=group_id,
        st01=ts.st01[:3],
        kind=ts.guide.name if ts.guide else None,
        guide=ts.guide.id if ts.guide else None,
        version=ts.version[:35],
        control_number=ts.control[:9],
        status=(m.Status.PARSED if ts.accepted else m.Status.REJECTED).value,
        accepted=ts.accepted,
        findings=[f.public() for f in ts.findings],
        start_offset=ts.start_offset,
        end_offset=ts.end_offset,
        first_ordinal=ts.first_ordinal,
        segment_count=ts.segment_count,
    )
    s.add(row)
    await s.flush()
    return row.id


async def ingest(
    db: Database,
    data: bytes,
    *,
    source: m.Source = m.Source.UPLOAD,
    filename: str | None = None,
    content_type: str | None = None,
    snip_level: int = 3,
    registry: Registry | None = None,
) -> IngestResult:
    plugins = registry if registry is not None else default_registry()
    upload_id = await store_upload(db, data, source, filename, content_type)
    events: list[Event] = await asyncio.to_thread(
        lambda: list(read(data, rules=checker(snip_level)))
    )
    file_findings = [e.finding for e in events if isinstance(e, FileFinding)]
    interchanges = [e.interchange for e in events if isinstance(e, InterchangeStarted)]
    sets = [e.transaction for e in events if isinstance(e, TransactionRead)]
    outcomes: dict[int, InterchangeOutcome] = {}
    for ic in interchanges:
        async with db.session() as s:
            ic_id, status, duplicate_of = await _store_interchange(s, upload_id, ic, data)
            groups = {}
            if status != m.Status.DUPLICATE:
                for group in ic.groups:
                    groups[id(group)] = await _store_group(s, ic_id, group)
            await s.commit()
        outcome = InterchangeOutcome(ic_id, ic.control, status, duplicate_of)
        outcomes[id(ic)] = outcome
        if status == m.Status.DUPLICATE:
            continue
        for ts in (t for t in sets if t.interchange is ic):
            async with db.session() as s:  # one database transaction per transaction set
                group_id = groups.get(id(ts.group)) if ts.group is not None else None
                set_id = await _store_set(s, ic_id, group_id, ts)
                outcome.transaction_sets.append(set_id)
                await _normalize(s, plugins, ts, set_id, ic_id)
                await s.commit()
    fresh = [e for e in events if not _of_duplicate(e, outcomes)]
    acks = acknowledge(fresh)
    resent = await _original_acks(db, [o.duplicate_of for o in outcomes.values() if o.duplicate_of])
    async with db.session() as s:
        partner = (
            f"{interchanges[0].sender_qualifier}:{interchanges[0].sender_id}"[:20]
            if interchanges
            else "unknown"
        )
        numbers = await _allocate(s, partner, 3 * max(1, len(acks.interchanges)))
        x12 = acks.to_x12(lambda: next(numbers))
        for ia in acks.interchanges:
            found = outcomes.get(id(ia.interchange))
            if found is None:
                continue
            kinds = [
                kind
                for kind, present in (
                    ("TA1", ia.ta1 is not None),
                    ("999", bool(ia.groups)),
                    ("277CA", bool(ia.claim_batches)),
                )
                if present
            ]
            if kinds:
                s.add(
                    m.Acknowledgment(
                        interchange_id=found.id,
                        control_number=ia.interchange.control[:9],
                        kinds=",".join(kinds),
                        x12=x12,
                        summary=ia.summary(),
                    )
                )
        if not outcomes:
            status = m.Status.REJECTED
        elif all(o.status == m.Status.DUPLICATE for o in outcomes.values()):
            status = m.Status.DUPLICATE
        else:
            status = m.Status.PARSED
        await s.execute(
            update(m.Upload)
            .where(m.Upload.id == upload_id)
            .values(status=status.value, findings=[f.public() for f in file_findings])
        )
        await s.commit()
    return IngestResult(
        upload_id=upload_id,
        interchanges=list(outcomes.values()),
        acks=x12 + resent,
        ack_summary=acks.summary(),
        findings=[f.public() for f in file_findings],
    )


@functools.cache
def default_registry() -> Registry:
    return load_registry()


async def _normalize(
    s: AsyncSession, plugins: Registry, ts: TransactionSet, set_id: int, interchange_id: int
) -> None:
    """Plugin records for the set, in a savepoint: a plugin failure fails this set only."""
    plugin = plugins.for_guide(ts.guide.name) if ts.guide is not None else None
    if plugin is None or ts.root is None or not ts.accepted:
        return
    try:
        async with s.begin_nested():
            records = plugin.read(ts)
            await store_records(s, set_id, interchange_id, records)
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


def _of_duplicate(event: Event, outcomes: dict[int, InterchangeOutcome]) -> bool:
    ic = getattr(event, "interchange", None)
    if ic is None and isinstance(event, TransactionRead):
        ic = event.transaction.interchange
    if ic is None:
        group = getattr(event, "group", None)
        ic = group.interchange if group is not None else None
    outcome = outcomes.get(id(ic)) if ic is not None else None
    return outcome is not None and outcome.status == m.Status.DUPLICATE


async def _store_group(s: AsyncSession, interchange_id: int, group: FunctionalGroup) -> int:
    row = m.FunctionalGroup(
        interchange_id=interchange_id,
        functional_id=group.functional_id[:2],
        control_number=group.control[:9],
        sender=group.sender[:15],
        receiver=group.receiver[:15],
        version=group.version[:12],
        status=m.Status.PARSED.value,
        findings=[f.public() for f in group.findings],
    )
    s.add(row)
    await s.flush()
    return row.id


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
            out[model.__tablename__] = (
                await s.execute(select(func.count()).select_from(model))
            ).scalar_one()
    return out
