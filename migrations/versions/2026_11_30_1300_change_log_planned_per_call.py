"""The change log's update trigger plans its join of old and new rows at each call (PostgreSQL).

Revision ID: 0015_change_log_planned_per_call
Revises: 0014_change_log_xid_record
Create Date: 2026-11-30 13:00:00

PL/pgSQL keeps a statement's plan from its first run in a session. The update trigger
joins its two transition tables, which have no index: planned for a one-row statement,
the join was a nested loop, and a later statement over 10,000 records compared every old
row with every new one (a policy change over 10,000 records: 51 s; over 30,000: 8 min,
holding every change feed of the cluster `pending` meanwhile). The function now runs those
statements through EXECUTE, planned with the rows at hand (alliance/indicators/change_log.py).
Downgrade keeps the new function: it logs the same rows.
"""

from collections.abc import Sequence

from alembic import op

from alliance.indicators.change_log import log_functions

revision: str = "0015_change_log_planned_per_call"
down_revision: str | None = "0014_change_log_xid_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in log_functions():
            op.execute(statement)


def downgrade() -> None:
    pass
