"""The change log finds a transaction's earlier rows of a record by index (PostgreSQL).

Revision ID: 0014_change_log_xid_record
Revises: 0013_change_notify
Create Date: 2026-11-30 12:00:00

Each statement that changes indicators first drops the rows its own transaction logged
earlier for the same records (alliance/indicators/change_log.py). With only `(xid, seq)`
to go by, that read every row the transaction had logged so far, once per statement: a
policy re-applied to 10,000 records in one transaction took 25 s (bench/policy_feed.py).
`(xid, record_id)` makes it one probe per record.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_change_log_xid_record"
down_revision: str | None = "0013_change_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_indicator_changes_xid_record"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {INDEX} ON indicator_changes (xid, record_id)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
