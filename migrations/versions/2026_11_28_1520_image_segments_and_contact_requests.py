"""Image segments for near-duplicate PDQ lookup, and contact requests.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
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

    op.create_table(
        "contact_requests",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("owner_member_id", sa.Uuid(), nullable=False),
        sa.Column("sender_member_id", sa.Uuid(), nullable=False),
        sa.Column("sender_principal_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "SELLER_ACCOUNT",
                "STOREFRONT_URL",
                "URL",
                "DOMAIN",
                "EMAIL",
                "PHONE",
                "SOCIAL_HANDLE",
                "MESSAGING_ID",
                "PAYMENT_ACCOUNT",
                "BANK_ACCOUNT",
                "COMPANY_ID",
                "LISTING",
                "TRACKING_NUMBER",
                "ADDRESS",
                "IMAGE_PDQ",
                name="indicatorkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("match_key", sa.String(length=600), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "ACCEPTED",
                "DECLINED",
                name="contactrequeststatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("open", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_contact_requests_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_member_id"],
            ["members.id"],
            name=op.f("fk_contact_requests_owner_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_member_id"],
            ["members.id"],
            name=op.f("fk_contact_requests_sender_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_requests")),
        # One open request per (record, sender member): `open` is NULL once answered.
        sa.UniqueConstraint(
            "indicator_id",
            "sender_member_id",
            "open",
            name=op.f("uq_contact_requests_indicator_id"),
        ),
    )
    with op.batch_alter_table("contact_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_requests_owner_created", ["owner_member_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_contact_requests_sender_created", ["sender_member_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_requests_sender_created")
        batch_op.drop_index("ix_contact_requests_owner_created")
    op.drop_table("contact_requests")
    with op.batch_alter_table("indicator_image_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_image_segments_bucket")
    op.drop_table("indicator_image_segments")
