"""Rows added to an indicator's grants or excludes leave its keys alone when they hold
the added keys already (PostgreSQL).

Revision ID: 0011_audience_keys_added
Revises: 0010_image_segment_hashes
Create Date: 2026-11-30 09:00:00

A bulk write stores new records with their audience keys in the row, then their grants
and excludes in two statements; the full refresh after each statement rewrote every new
record twice (sharing/storage.py, `audience_key_insert_triggers`). SQLite keeps its
row-level triggers.
"""

from collections.abc import Sequence

from alembic import op

from sharing.storage import audience_key_insert_triggers, drop_audience_key_insert_triggers

revision: str = "0011_audience_keys_added"
down_revision: str | None = "0010_image_segment_hashes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in audience_key_insert_triggers("indicators"):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in drop_audience_key_insert_triggers("indicators"):
            op.execute(statement)
