"""Indicator values compare by code point and have an index: valuePrefix is a range on it.

Revision ID: 0008_indicator_value_index
Revises: 0007_audience_keys
Create Date: 2026-11-30 06:20:00

On PostgreSQL the column takes the "C" collation (SQLite compares by code point already),
so `value >= 'lux' AND value < 'luy'` and the VALUE_ASC order use the same index whatever
the database's locale.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_indicator_value_index"
down_revision: str | None = "0007_audience_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "indicators",
            "value",
            type_=sa.String(600, collation="C"),
            existing_type=sa.String(600),
            existing_nullable=False,
        )
    op.create_index("ix_indicators_value", "indicators", ["value", "id"])


def downgrade() -> None:
    op.drop_index("ix_indicators_value", table_name="indicators")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "indicators",
            "value",
            type_=sa.String(600),
            existing_type=sa.String(600, collation="C"),
            existing_nullable=False,
        )
