"""Writes to the change log are announced to listening instances (PostgreSQL).

Revision ID: 0013_change_notify
Revises: 0012_indicator_changes
Create Date: 2026-11-30 11:00:00

A statement-level trigger on `indicator_changes` calls `pg_notify('alliance_changes', '')`;
PostgreSQL delivers it at commit, once per transaction, to every instance that listens,
which wakes its live subscriptions (alliance/indicators/change_signal.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_change_notify"
down_revision: str | None = "0012_indicator_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """CREATE OR REPLACE FUNCTION indicator_changes_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('alliance_changes', '');
  RETURN NULL;
END $$"""
    )
    op.execute(
        "CREATE TRIGGER indicator_changes_notify AFTER INSERT ON indicator_changes "
        "FOR EACH STATEMENT EXECUTE FUNCTION indicator_changes_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS indicator_changes_notify ON indicator_changes")
    op.execute("DROP FUNCTION IF EXISTS indicator_changes_notify()")
