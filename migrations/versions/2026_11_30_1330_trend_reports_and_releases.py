"""Trend reports, every submitted value, and frozen releases of the aggregates.

Revision ID: 0018_trends
Revises: 0017_expert_profiles
Create Date: 2026-11-30 11:47:40.749652
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_trends"
down_revision: str | None = "0017_expert_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trend_releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_releases")),
        sa.UniqueConstraint("source", "period", "sequence", name=op.f("uq_trend_releases_source")),
    )
    op.create_table(
        "trend_release_cells",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["trend_releases.id"],
            name=op.f("fk_trend_release_cells_release_id_trend_releases"),
        ),
        sa.PrimaryKeyConstraint(
            "release_id",
            "metric",
            "region",
            "platform",
            "category",
            name=op.f("pk_trend_release_cells"),
        ),
    )
    op.create_table(
        "trend_release_inputs",
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["trend_releases.id"],
            name=op.f("fk_trend_release_inputs_release_id_trend_releases"),
        ),
        sa.PrimaryKeyConstraint(
            "release_id",
            "member_id",
            "region",
            "platform",
            "category",
            name=op.f("pk_trend_release_inputs"),
        ),
    )
    op.create_table(
        "trend_report_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.Uuid(), nullable=False),
        sa.Column("listings_removed", sa.Integer(), nullable=False),
        sa.Column("seller_accounts_closed", sa.Integer(), nullable=False),
        sa.Column("test_buys", sa.Integer(), nullable=False),
        sa.Column("seizures", sa.Integer(), nullable=False),
        sa.Column("units_seized", sa.Integer(), nullable=False),
        sa.Column("facilities_closed", sa.Integer(), nullable=False),
        sa.Column("arrests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_trend_report_versions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_report_versions")),
    )
    with op.batch_alter_table("trend_report_versions", schema=None) as batch_op:
        batch_op.create_index("ix_trend_report_versions_key", ["member_id", "month"], unique=False)

    op.create_table(
        "trend_reports",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.Column("listings_removed", sa.Integer(), nullable=False),
        sa.Column("seller_accounts_closed", sa.Integer(), nullable=False),
        sa.Column("test_buys", sa.Integer(), nullable=False),
        sa.Column("seizures", sa.Integer(), nullable=False),
        sa.Column("units_seized", sa.Integer(), nullable=False),
        sa.Column("facilities_closed", sa.Integer(), nullable=False),
        sa.Column("arrests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_trend_reports_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["region"], ["regions.code"], name=op.f("fk_trend_reports_region_regions")
        ),
        sa.PrimaryKeyConstraint(
            "member_id", "month", "region", "platform", "category", name=op.f("pk_trend_reports")
        ),
    )
    with op.batch_alter_table("trend_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trend_reports_month"), ["month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trend_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trend_reports_month"))

    op.drop_table("trend_reports")
    with op.batch_alter_table("trend_report_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_trend_report_versions_key")

    op.drop_table("trend_report_versions")
    op.drop_table("trend_release_inputs")
    op.drop_table("trend_release_cells")
    op.drop_table("trend_releases")
