"""Retention: alliance settings, legal holds, retraction and purge times, expiry index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:15:29.673463
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The built-in default expiry per kind at the time of this migration (days), for records
# written before expiry was set at create (alliance/retention/settings.py).
_BACKFILL_DAYS = {
    "SELLER_ACCOUNT": 730,
    "STOREFRONT_URL": 730,
    "LISTING": 730,
    "URL": 365,
    "DOMAIN": 365,
    "EMAIL": 730,
    "PHONE": 730,
    "SOCIAL_HANDLE": 730,
    "MESSAGING_ID": 730,
    "PAYMENT_ACCOUNT": 730,
    "BANK_ACCOUNT": 730,
    "COMPANY_ID": 1095,
    "TRACKING_NUMBER": 365,
    "ADDRESS": 730,
    "IMAGE_PDQ": 1095,
}


def _backfill() -> None:
    # Retracted records: the last change is when they were retracted.
    op.execute(
        "UPDATE indicators SET retracted_at = updated_at "
        "WHERE status = 'RETRACTED' AND retracted_at IS NULL"
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for kind, days in _BACKFILL_DAYS.items():
        later = (
            f"created_at + interval '{days} days'"
            if postgresql
            else f"datetime(created_at, '+{days} days')"
        )
        op.execute(
            f"UPDATE indicators SET expires_at = {later} "  # noqa: S608 - constants only
            f"WHERE expires_at IS NULL AND kind = '{kind}'"
        )


def upgrade() -> None:
    op.create_table(
        "alliance_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_alliance_settings")),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("legal_hold_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("legal_hold_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_indicators_expires_at_id", ["expires_at", "id"], unique=False)
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index("ix_indicators_expires_at_id")
        batch_op.drop_column("purged_at")
        batch_op.drop_column("legal_hold_at")
        batch_op.drop_column("legal_hold_reason")
        batch_op.drop_column("legal_hold")
        batch_op.drop_column("retracted_at")
    op.drop_table("alliance_settings")
