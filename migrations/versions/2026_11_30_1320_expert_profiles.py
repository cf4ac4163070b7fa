"""The expert directory, and contact requests that reach an expert as well as an indicator.

Revision ID: 0017_expert_profiles
Revises: 0016_articles
Create Date: 2026-11-30 13:00:00

`expert_profiles` is a shareable table (its grants, excludes and audience-key triggers,
like `indicators`); `expert_profile_facets` holds the topics, languages and regions a
profile is found by. Existing contact requests become `target = 'INDICATOR'` with their
data unchanged; a CHECK keeps exactly one kind of target per request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sharing.audience_keys import KeyList
from sharing.storage import audience_key_triggers, drop_audience_key_triggers

revision: str = "0017_expert_profiles"
down_revision: str | None = "0016_articles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_TARGET = (
    "(target = 'INDICATOR' AND indicator_id IS NOT NULL AND kind IS NOT NULL"
    " AND match_key IS NOT NULL AND expert_profile_id IS NULL"
    " AND recipient_user_id IS NULL)"
    " OR (target = 'EXPERT' AND indicator_id IS NULL AND kind IS NULL"
    " AND match_key IS NULL AND recipient_user_id IS NOT NULL)"
)


def _profiles() -> None:
    op.create_table(
        "expert_profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("owner_member_id", sa.Uuid(), nullable=False),
        sa.Column("bio", sa.String(length=1000), nullable=False),
        sa.Column("requested_audience", sa.Text(), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audience_keys", KeyList(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_member_id"],
            ["members.id"],
            name=op.f("fk_expert_profiles_owner_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_expert_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_expert_profiles_user_id")),
    )
    op.create_index(
        op.f("ix_expert_profiles_owner_member_id"), "expert_profiles", ["owner_member_id"]
    )
    op.create_table(
        "expert_profile_facets",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column(
            "facet",
            sa.Enum("TOPIC", "LANGUAGE", "REGION", name="facet", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["expert_profiles.id"],
            name=op.f("fk_expert_profile_facets_profile_id_expert_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "profile_id", "facet", "code", name=op.f("pk_expert_profile_facets")
        ),
    )
    op.create_index(
        "ix_expert_profile_facets_code", "expert_profile_facets", ["facet", "code", "profile_id"]
    )
    op.create_table(
        "expert_profiles_excludes",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["expert_profiles.id"],
            name=op.f("fk_expert_profiles_excludes_record_id_expert_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "member_id", name=op.f("pk_expert_profiles_excludes")),
    )
    op.create_table(
        "expert_profiles_grants",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_key", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["expert_profiles.id"],
            name=op.f("fk_expert_profiles_grants_record_id_expert_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "record_id", "target_kind", "target_key", name=op.f("pk_expert_profiles_grants")
        ),
    )
    op.create_index(
        "ix_expert_profiles_grants_target",
        "expert_profiles_grants",
        ["target_kind", "target_key", "record_id"],
    )
    for statement in audience_key_triggers("expert_profiles", op.get_bind().dialect.name):
        op.execute(statement)


def upgrade() -> None:
    _profiles()
    with op.batch_alter_table("contact_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "target",
                sa.Enum("INDICATOR", "EXPERT", name="contacttarget", native_enum=False, length=16),
                nullable=False,
                server_default="INDICATOR",  # every existing request is about an indicator
            )
        )
        batch_op.add_column(sa.Column("expert_profile_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("recipient_user_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("indicator_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column("kind", existing_type=sa.String(length=32), nullable=True)
        batch_op.alter_column("match_key", existing_type=sa.String(length=600), nullable=True)
        batch_op.create_index(
            "ix_contact_requests_recipient_created", ["recipient_user_id", "created_at"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_contact_requests_expert_profile_id"),
            ["expert_profile_id", "sender_member_id", "open"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_requests_expert_profile_id_expert_profiles"),
            "expert_profiles",
            ["expert_profile_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_requests_recipient_user_id_users"),
            "users",
            ["recipient_user_id"],
            ["id"],
        )
        batch_op.create_check_constraint("one_target", ONE_TARGET)
    with op.batch_alter_table("contact_requests", schema=None) as batch_op:
        batch_op.alter_column("target", server_default=None)


def downgrade() -> None:
    # Requests to experts have no indicator to keep: they go with the directory.
    op.execute("DELETE FROM contact_requests WHERE target = 'EXPERT'")
    with op.batch_alter_table("contact_requests", schema=None) as batch_op:
        batch_op.drop_constraint("one_target", type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_contact_requests_recipient_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_contact_requests_expert_profile_id_expert_profiles"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("uq_contact_requests_expert_profile_id"), type_="unique"
        )
        batch_op.drop_index("ix_contact_requests_recipient_created")
        batch_op.alter_column("match_key", existing_type=sa.String(length=600), nullable=False)
        batch_op.alter_column("kind", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("indicator_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("recipient_user_id")
        batch_op.drop_column("expert_profile_id")
        batch_op.drop_column("target")
    for statement in drop_audience_key_triggers("expert_profiles", op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("expert_profiles_grants")
    op.drop_table("expert_profiles_excludes")
    op.drop_table("expert_profile_facets")
    op.drop_table("expert_profiles")
