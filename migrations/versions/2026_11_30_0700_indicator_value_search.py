"""Substring search in indicator values: pg_trgm on PostgreSQL, FTS5 trigrams on SQLite.

Revision ID: 0009_indicator_value_search
Revises: 0008_indicator_value_index
Create Date: 2026-11-30 07:00:00

`valueContains` (alliance/indicators/value_search.py). On PostgreSQL this creates the
pg_trgm extension (trusted since PostgreSQL 13: the database's owner may create it) and a
GIN trigram index; on SQLite an external-content FTS5 table with triggers, filled here.
"""

from collections.abc import Sequence

from alembic import op

from alliance.indicators.value_search import (
    REBUILD,
    SEARCH_TABLE,
    TRIGRAM_INDEX,
    postgresql_ddl,
    sqlite_ddl,
)

revision: str = "0009_indicator_value_search"
down_revision: str | None = "0008_indicator_value_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in postgresql_ddl():
            op.execute(statement)
        return
    for statement in sqlite_ddl():
        op.execute(statement)
    op.execute(REBUILD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_{event}")
    op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
