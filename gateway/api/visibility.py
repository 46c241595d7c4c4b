"""Who may read what: one rule for every endpoint that returns stored data.

Admins read everything. A partner reads an interchange it sent (its ISA sender IDs), one
addressed to it (its IDs as the ISA receiver: the acks, 271s, 277s and 835s it is owed)
and one posted with its key (what the JSON endpoints made for it and the answers to them).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.auth import Principal
from gateway.store import models as m


def readable(principal: Principal) -> ColumnElement[bool]:
    """A condition on ``interchange`` rows: the ones ``principal`` may read."""
    if principal.is_admin:
        return true()
    ic = m.Interchange
    clauses: list[ColumnElement[bool]] = []
    for qualifier, sender_id in principal.senders:
        clauses.append(and_(ic.sender_qualifier == qualifier, ic.sender_id == sender_id))
        clauses.append(and_(ic.receiver_qualifier == qualifier, ic.receiver_id == sender_id))
    if principal.partner_id is not None:
        posted = select(m.Upload.id).where(m.Upload.partner_id == principal.partner_id)
        clauses.append(ic.upload_id.in_(posted))
    return or_(*clauses) if clauses else false()


def readable_ids(principal: Principal) -> Select[int]:
    """The IDs of the interchanges ``principal`` may read, for ``... .in_(...)``."""
    return select(m.Interchange.id).where(readable(principal))


async def may_read(session: AsyncSession, principal: Principal, row: m.Interchange) -> bool:
    if principal.is_admin:
        return True
    pairs = principal.senders
    if (row.sender_qualifier, row.sender_id) in pairs or (
        row.receiver_qualifier,
        row.receiver_id,
    ) in pairs:
        return True
    if principal.partner_id is None:
        return False
    upload = await session.get(m.Upload, row.upload_id)
    return upload is not None and upload.partner_id == principal.partner_id


async def may_read_set(session: AsyncSession, principal: Principal, set_id: int) -> bool:
    """Whether ``principal`` may read transaction set ``set_id`` (False when there is none)."""
    ts = await session.get(m.TransactionSet, set_id)
    if ts is None:
        return False
    ic = await session.get(m.Interchange, ts.interchange_id)
    return ic is not None and await may_read(session, principal, ic)
