"""Image segments for near-duplicate PDQ lookup, and contact requests.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_image_segments",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_image_segments_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("indicator_id", "bucket", name=op.f("pk_indicator_image_segments")),
    )
    with op.batch_alter_table("indicator_image_segments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_image_segments_bucket", ["bucket", "indicator_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_image_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_image_segments_bucket")
    op.drop_table("indicator_image_segments")
