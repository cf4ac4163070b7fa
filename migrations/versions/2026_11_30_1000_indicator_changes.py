"""The change log of indicators, written by triggers: what the change feed reads.

Revision ID: 0012_indicator_changes
Revises: 0011_audience_keys_added
Create Date: 2026-11-30 10:00:00

Every insert, delete and visible update of an indicator appends its state to
`indicator_changes` (alliance/indicators/change_log.py); on PostgreSQL each row carries
its transaction's id (`xid`) so that readers never skip a transaction still open
(DESIGN §4.2). Existing records are logged once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alliance.indicators.change_log import (
    TABLE,
    TXN_COLUMN,
    XID_INDEX,
    drop_log_triggers,
    log_backfill,
    log_triggers,
)
from sharing.audience_keys import KeyList

revision: str = "0012_indicator_changes"
down_revision: str | None = "0011_audience_keys_added"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        TABLE,
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("owner_member_id", sa.Uuid(), nullable=False),
        sa.Column("audience_keys", KeyList()),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "RETRACTED",
                "EXPIRED",
                name="indicatorstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("purged_at", sa.DateTime(timezone=True)),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_indicator_changes_record_id", TABLE, ["record_id", "seq"])
    op.create_index("ix_indicator_changes_expires_at", TABLE, ["expires_at"])
    if dialect == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
        op.execute(f"CREATE INDEX {XID_INDEX} ON {TABLE} (xid, seq)")
    else:
        op.execute(f"ALTER TABLE {TABLE} ADD COLUMN {TXN_COLUMN} VARCHAR(32)")
    op.execute(log_backfill(dialect))
    for statement in log_triggers(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_log_triggers(dialect):
        op.execute(statement)
    op.drop_table(TABLE)
