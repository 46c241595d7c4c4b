"""indexes on received time (uploads and interchanges are listed by date)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_upload_received_at", "upload", ["received_at"])
    op.create_index("ix_interchange_received_at", "interchange", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_interchange_received_at", table_name="interchange")
    op.drop_index("ix_upload_received_at", table_name="upload")
