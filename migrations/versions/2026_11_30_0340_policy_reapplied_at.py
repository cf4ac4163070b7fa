"""Policy versions note when they reached every record of their member.

Revision ID: 0006_policy_reapplied_at
Revises: 0005
Create Date: 2026-11-30 03:40:00

Existing versions start unmarked: the service's first sweep checks each member's records
against its newest version once and marks it (alliance/policies/reapply.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_policy_reapplied_at"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member_policies") as batch:
        batch.add_column(sa.Column("reapplied_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_policies") as batch:
        batch.drop_column("reapplied_at")
