"""Indicators carry their effective audience as keys in the row, kept by triggers.

Revision ID: 0007_audience_keys
Revises: 0006_policy_reapplied_at
Create Date: 2026-11-30 06:00:00

The read predicate tests `indicators.audience_keys` instead of probing the grants and
excludes tables per row (sharing/audience_keys.py, docs/performance.md). Triggers on
`indicators_grants` and `indicators_excludes` rewrite a record's keys after every
statement that changes its rows; existing records are filled here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sharing.audience_keys import KeyList
from sharing.storage import (
    audience_key_triggers,
    audience_keys_backfill,
    drop_audience_key_triggers,
)

revision: str = "0007_audience_keys"
down_revision: str | None = "0006_policy_reapplied_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("indicators") as batch:
        batch.add_column(sa.Column("audience_keys", KeyList(), nullable=True))
    for statement in audience_key_triggers("indicators", dialect):
        op.execute(statement)
    op.execute(audience_keys_backfill("indicators", dialect))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_audience_key_triggers("indicators", dialect):
        op.execute(statement)
    with op.batch_alter_table("indicators") as batch:
        batch.drop_column("audience_keys")
