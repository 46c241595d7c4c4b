"""Everything the interchange page shows, read in one place.

The raw bytes are read as a substring of the upload, so a large upload holding many
interchanges is not loaded whole to show one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.console import x12view
from gateway.store import models as m


@dataclass(slots=True)
class InterchangeDetail:
    interchange: m.Interchange
    upload: dict[str, Any]
    partner: str | None
    raw: bytes
    groups: list[m.FunctionalGroup]
    sets: list[m.TransactionSet]
    acks: list[m.Acknowledgment]
    attempts: list[m.Attempt]
    versions: list[m.Interchange]  # corrected versions of this one, oldest first
    view: x12view.RawView
    trees: list[x12view.ParsedSet] | None

    @property
    def crlf(self) -> bool:
        """The original ends lines with CRLF (so a browser's CRLF is kept in a correction)."""
        return b"\r\n" in self.raw


async def load(session: AsyncSession, interchange_id: int) -> InterchangeDetail | None:
    ic = await session.get(m.Interchange, interchange_id)
    if ic is None:
        return None
    length = max(ic.end_offset - ic.start_offset, 0)
    up = (
        await session.execute(
            select(
                m.Upload.id,
                m.Upload.received_at,
                m.Upload.source,
                m.Upload.filename,
                m.Upload.size,
                m.Upload.partner_id,
                func.substring(m.Upload.raw, ic.start_offset + 1, length),
            ).where(m.Upload.id == ic.upload_id)
        )
    ).one()
    raw: bytes = bytes(up[6] or b"")
    partner = (await session.get(m.Partner, up.partner_id)) if up.partner_id else None
    groups = list(
        (
            await session.execute(
                select(m.FunctionalGroup)
                .where(m.FunctionalGroup.interchange_id == ic.id)
                .order_by(m.FunctionalGroup.id)
            )
        ).scalars()
    )
    sets = list(
        (
            await session.execute(
                select(m.TransactionSet)
                .where(m.TransactionSet.interchange_id == ic.id)
                .order_by(m.TransactionSet.id)
            )
        ).scalars()
    )
    acks = list(
        (
            await session.execute(
                select(m.Acknowledgment)
                .where(m.Acknowledgment.interchange_id == ic.id)
                .order_by(m.Acknowledgment.id)
            )
        ).scalars()
    )
    versions = list(
        (
            await session.execute(
                select(m.Interchange)
                .where(m.Interchange.version_of_id == ic.id)
                .order_by(m.Interchange.id)
            )
        ).scalars()
    )
    findings = [*ic.findings]
    for g in groups:
        findings += g.findings
    for ts in sets:
        findings += ts.findings
    delta = None
    if sets:
        first = sets[0]
        delta = x12view.ordinal_delta(
            raw, first.start_offset - ic.start_offset, first.first_ordinal
        )
    return InterchangeDetail(
        interchange=ic,
        upload={
            "id": up.id,
            "received_at": up.received_at,
            "source": up.source,
            "filename": up.filename,
            "size": up.size,
        },
        partner=partner.name if partner else None,
        raw=raw,
        groups=groups,
        sets=sets,
        acks=acks,
        attempts=await _attempts(session, ic.id),
        versions=versions,
        view=x12view.raw_view(raw, ic.start_offset, findings, delta),
        trees=x12view.loop_trees(raw),
    )


async def _attempts(session: AsyncSession, interchange_id: int) -> list[m.Attempt]:
    """The attempt history, oldest first (what ``gateway.replay.attempts`` returns)."""
    rows = await session.execute(
        select(m.Attempt).where(m.Attempt.interchange_id == interchange_id).order_by(m.Attempt.id)
    )
    return list(rows.scalars())
