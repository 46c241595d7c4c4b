"""API keys: ``Authorization: Bearer KEY``. Partner keys are stored as argon2 hashes and
bound to the partner's ISA sender IDs; the admin key comes from ``X12GW_ADMIN_KEY``."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.problems import Problem
from gateway.store import models as m

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Principal:
    role: str  # "admin" or "partner"
    partner_id: int | None = None
    partner: str = ""
    senders: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_send_as(self, qualifier: str, sender_id: str) -> bool:
        return self.is_admin or (qualifier, sender_id) in self.senders


def new_key() -> tuple[str, str]:
    """A new key and its lookup prefix: ``x12gw_<prefix>_<secret>``."""
    prefix = secrets.token_hex(6)
    return f"x12gw_{prefix}_{secrets.token_urlsafe(24)}", prefix


async def create_partner_key(
    s: AsyncSession, name: str, senders: list[tuple[str, str]]
) -> tuple[m.Partner, str]:
    partner = (
        await s.execute(select(m.Partner).where(m.Partner.name == name))
    ).scalar_one_or_none()
    if partner is None:
        partner = m.Partner(name=name)
        s.add(partner)
        await s.flush()
    rows = await s.execute(
        select(m.PartnerSender.qualifier, m.PartnerSender.sender_id).where(
            m.PartnerSender.partner_id == partner.id
        )
    )
    known = {(q, sid) for q, sid in rows.all()}
    for qualifier, sender_id in senders:
        if (qualifier, sender_id) not in known:
            s.add(m.PartnerSender(partner_id=partner.id, qualifier=qualifier, sender_id=sender_id))
    key, prefix = new_key()
    s.add(m.ApiKey(prefix=prefix, hash=_hasher.hash(key), role="partner", partner_id=partner.id))
    await s.flush()
    return partner, key


async def authenticate(request: Request, s: AsyncSession, admin_key: str | None) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(
            401, "unauthorized", "Authentication required", "Send Authorization: Bearer <key>"
        )
    if admin_key and hmac.compare_digest(token.encode(), admin_key.encode()):
        return Principal("admin")
    parts = token.split("_", 2)  # the secret may itself contain underscores
    if len(parts) != 3 or parts[0] != "x12gw":
        raise Problem(401, "unauthorized", "Unknown API key")
    row = (
        await s.execute(
            select(m.ApiKey).where(m.ApiKey.prefix == parts[1], m.ApiKey.revoked_at.is_(None))
        )
    ).scalar_one_or_none()
    try:
        if row is None or not _hasher.verify(row.hash, token):
            raise Problem(401, "unauthorized", "Unknown API key")
    except VerificationError as exc:
        raise Problem(401, "unauthorized", "Unknown API key") from exc
    if row.role == "admin":
        return Principal("admin")
    partner = await s.get(m.Partner, row.partner_id) if row.partner_id else None
    if partner is None:
        raise Problem(401, "unauthorized", "Unknown API key")
    senders = (
        (await s.execute(select(m.PartnerSender).where(m.PartnerSender.partner_id == partner.id)))
        .scalars()
        .all()
    )
    return Principal(
        "partner", partner.id, partner.name, frozenset((x.qualifier, x.sender_id) for x in senders)
    )
