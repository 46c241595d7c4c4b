"""webhook secrets encrypted at rest: room for a Fernet token

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Existing rows keep their plain-text secret (the gateway still reads it) and are
encrypted the next time the webhook is set.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        'webhook',
        'secret',
        existing_type=sa.String(length=200),
        type_=sa.String(length=1200),
        existing_nullable=False,
    )


def downgrade() -> None:
    # encrypted secrets do not fit the old column: a downgrade needs the webhooks set again
    op.execute("UPDATE webhook SET active = false WHERE length(secret) > 200")
    op.execute("UPDATE webhook SET secret = left(secret, 200)")
    op.alter_column(
        'webhook',
        'secret',
        existing_type=sa.String(length=1200),
        type_=sa.String(length=200),
        existing_nullable=False,
    )
