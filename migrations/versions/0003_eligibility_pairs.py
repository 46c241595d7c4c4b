"""eligibility_pairs view: each 271 linked to the 270 it answers (TRN02)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ELIGIBILITY_PAIRS = """
CREATE VIEW eligibility_pairs AS
SELECT q.transaction_set_id AS inquiry_set_id,
       q.id AS inquiry_trace_id,
       r.transaction_set_id AS response_set_id,
       r.id AS response_trace_id,
       q.trace_number,
       qi.received_at AS inquired_at,
       ri.received_at AS answered_at
FROM record q
JOIN transaction_set qs ON qs.id = q.transaction_set_id AND qs.st01 = '270'
JOIN interchange qi ON qi.id = q.interchange_id
JOIN record r ON r.entity = 'trace' AND r.trace_number = q.trace_number
JOIN transaction_set rs ON rs.id = r.transaction_set_id AND rs.st01 = '271'
JOIN interchange ri ON ri.id = r.interchange_id
WHERE q.entity = 'trace'
"""


def upgrade() -> None:
    op.execute(ELIGIBILITY_PAIRS)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS eligibility_pairs")
