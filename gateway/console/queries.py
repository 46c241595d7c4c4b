"""What the console's pages read: counts for the dashboard, the list of problem interchanges.

Reads only; the pages render what these return. Partner names come from the key that
posted the upload, else the ISA sender stands in for the partner.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gateway.store import models as m

#: statuses that mean "someone should look at this"
PROBLEM = (m.Status.REJECTED.value, m.Status.FAILED.value)
#: statuses that mean the problem is settled elsewhere (a corrected version, the original)
SETTLED = ("superseded", m.Status.DUPLICATE.value)


def _partner_label() -> ColumnElement[str]:
    sender = m.Interchange.sender_qualifier + literal(":") + m.Interchange.sender_id
    return func.coalesce(m.Partner.name, sender)


@dataclass(slots=True)
class Dashboard:
    days: int
    interchanges_by_status: dict[str, int]
    sets_by_status: dict[str, int]
    sets_by_type: list[tuple[str, dict[str, int]]]  # (type, {status: count})
    by_partner: list[tuple[str, int, int]]  # (partner, interchanges, needing attention)
    per_day: list[tuple[dt.date, dict[str, int]]]  # interchanges; oldest first, every day
    sets_per_day: list[tuple[dt.date, dict[str, int]]]  # transaction sets, the same way

    @property
    def attention(self) -> int:
        """Interchanges in the failed list (rejected, failed, or holding a rejected set)."""
        return sum(bad for _, _, bad in self.by_partner)


def _nested(rows: Any) -> list[tuple[str, dict[str, int]]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for key, status, count in rows:
        out[str(key)][str(status)] = int(count)
    return sorted(out.items(), key=lambda kv: -sum(kv[1].values()))


async def dashboard(session: AsyncSession, days: int, today: dt.date | None = None) -> Dashboard:
    """Counts over the last ``days`` days (by the received time, UTC)."""
    today = today or dt.datetime.now(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    recent = m.Interchange.received_at >= since

    ic_status = await session.execute(
        select(m.Interchange.status, func.count()).where(recent).group_by(m.Interchange.status)
    )
    interchanges_by_status = {s: int(n) for s, n in ic_status.all()}

    set_rows = await session.execute(
        select(
            func.coalesce(m.TransactionSet.kind, m.TransactionSet.st01),
            m.TransactionSet.status,
            func.count(),
        )
        .join(m.Interchange, m.Interchange.id == m.TransactionSet.interchange_id)
        .where(recent)
        .group_by(
            func.coalesce(m.TransactionSet.kind, m.TransactionSet.st01), m.TransactionSet.status
        )
    )
    sets_by_type = _nested(set_rows.all())
    sets_by_status: dict[str, int] = defaultdict(int)
    for _, counts in sets_by_type:
        for status, n in counts.items():
            sets_by_status[status] += n

    label = _partner_label()
    problem = _problem_clause("")
    partner_rows = await session.execute(
        select(label, func.count(), func.count().filter(problem))
        .join(m.Upload, m.Upload.id == m.Interchange.upload_id)
        .outerjoin(m.Partner, m.Partner.id == m.Upload.partner_id)
        .where(recent)
        .group_by(label)
        .order_by(func.count().desc())
    )
    by_partner = [(str(p), int(n), int(bad)) for p, n, bad in partner_rows.all()]

    day = func.date(func.timezone("UTC", m.Interchange.received_at))
    day_rows = await session.execute(
        select(day, m.Interchange.status, func.count())
        .where(recent)
        .group_by(day, m.Interchange.status)
    )
    set_day_rows = await session.execute(
        select(day, m.TransactionSet.status, func.count())
        .join(m.Interchange, m.Interchange.id == m.TransactionSet.interchange_id)
        .where(recent)
        .group_by(day, m.TransactionSet.status)
    )
    per = _per_day(first, days, day_rows.all())
    sets_per = _per_day(first, days, set_day_rows.all())
    return Dashboard(
        days,
        interchanges_by_status,
        dict(sets_by_status),
        sets_by_type,
        by_partner,
        per,
        sets_per,
    )


def _per_day(
    first: dt.date, days: int, rows: Sequence[Any]
) -> list[tuple[dt.date, dict[str, int]]]:
    """Every day from ``first`` (empty days too), oldest first, with counts by status."""
    per: dict[dt.date, dict[str, int]] = {first + dt.timedelta(days=i): {} for i in range(days)}
    for d, status, n in rows:
        if d in per:
            per[d][str(status)] = int(n)
    return sorted(per.items())


def statuses_of(per_day: list[tuple[dt.date, dict[str, int]]]) -> list[str]:
    return sorted({s for _, counts in per_day for s in counts})


@dataclass(frozen=True, slots=True)
class Filters:
    q: str = ""
    status: str = ""  # "" = every problem; or one status
    type: str = ""
    partner: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    before: int | None = None  # cursor: show interchanges with a smaller id


@dataclass(slots=True)
class ProblemRow:
    id: int
    received_at: dt.datetime
    sender: str
    receiver: str
    control_number: str
    status: str
    partner: str
    types: list[str]
    sets_rejected: int
    codes: list[str]


def _problem_clause(status: str) -> ColumnElement[bool]:
    bad_set = exists().where(
        m.TransactionSet.interchange_id == m.Interchange.id,
        m.TransactionSet.status.in_(PROBLEM),
    )
    if status == "":
        return or_(
            m.Interchange.status.in_(PROBLEM),
            and_(m.Interchange.status.not_in(SETTLED), bad_set),
        )
    if status == "sets":  # accepted envelope, a rejected transaction set inside
        return and_(m.Interchange.status.not_in((*PROBLEM, *SETTLED)), bad_set)
    return m.Interchange.status == status


async def problems(
    session: AsyncSession, filters: Filters, limit: int = 50
) -> tuple[list[ProblemRow], int | None]:
    """Problem interchanges, newest first, and the cursor of the next page (or None)."""
    label = _partner_label()
    query = (
        select(m.Interchange, label)
        .join(m.Upload, m.Upload.id == m.Interchange.upload_id)
        .outerjoin(m.Partner, m.Partner.id == m.Upload.partner_id)
        .where(_problem_clause(filters.status))
        .order_by(m.Interchange.id.desc())
        .limit(limit + 1)
    )
    if filters.before is not None:
        query = query.where(m.Interchange.id < filters.before)
    if filters.partner:
        query = query.where(label.ilike(f"%{_like(filters.partner)}%"))
    if filters.type:
        query = query.where(
            exists().where(
                m.TransactionSet.interchange_id == m.Interchange.id,
                or_(
                    m.TransactionSet.st01 == filters.type,
                    func.lower(m.TransactionSet.kind) == filters.type.lower(),
                ),
            )
        )
    if filters.received_from is not None:
        query = query.where(
            m.Interchange.received_at
            >= dt.datetime.combine(filters.received_from, dt.time(), tzinfo=dt.UTC)
        )
    if filters.received_to is not None:
        end = filters.received_to + dt.timedelta(days=1)
        query = query.where(
            m.Interchange.received_at < dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC)
        )
    if filters.q:
        query = query.where(_search(filters.q.strip()))
    rows = (await session.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [ic.id for ic, _ in rows]
    sets: dict[int, list[m.TransactionSet]] = defaultdict(list)
    if ids:
        found = await session.execute(
            select(m.TransactionSet).where(m.TransactionSet.interchange_id.in_(ids))
        )
        for ts in found.scalars():
            sets[ts.interchange_id].append(ts)
    out = []
    for ic, partner in rows:
        mine = sets[ic.id]
        codes = [str(f.get("code")) for f in ic.findings]
        for ts in mine:
            codes += [str(f.get("code")) for f in ts.findings]
        out.append(
            ProblemRow(
                ic.id,
                ic.received_at,
                f"{ic.sender_qualifier}:{ic.sender_id}",
                f"{ic.receiver_qualifier}:{ic.receiver_id}",
                ic.control_number,
                ic.status,
                str(partner),
                sorted({ts.kind or ts.st01 for ts in mine}),
                sum(1 for ts in mine if ts.status in PROBLEM),
                sorted(set(codes)),
            )
        )
    return out, (ids[-1] if more and ids else None)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search(q: str) -> ColumnElement[bool]:
    """Free text: an interchange ID, a control number, a sender or receiver ID, a finding code."""
    pattern = f"%{_like(q)}%"
    clauses: list[ColumnElement[bool]] = [
        m.Interchange.control_number.ilike(pattern),
        m.Interchange.sender_id.ilike(pattern),
        m.Interchange.receiver_id.ilike(pattern),
        cast(m.Interchange.findings, String).ilike(pattern),
        exists().where(
            m.TransactionSet.interchange_id == m.Interchange.id,
            cast(m.TransactionSet.findings, String).ilike(pattern),
        ),
    ]
    if q.isdigit() and len(q) < 19:
        clauses.append(m.Interchange.id == int(q))
    return or_(*clauses)
