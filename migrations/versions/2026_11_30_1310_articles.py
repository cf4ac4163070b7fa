"""Articles: shareable know-how with versions, tags, attachments and a full-text index.

Revision ID: 0016_articles
Revises: 0015_change_log_planned_per_call
Create Date: 2026-11-30 13:00:00

`articles` is a shareable table like `indicators`: its grants and excludes tables and the
triggers keeping `articles.audience_keys` equal to them (sharing/storage.py). The
full-text index is made here only (alliance/articles/search_index.py): a generated
tsvector column with a GIN index on PostgreSQL, an FTS5 table with triggers on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sharing.audience_keys
from alliance.articles import search_index
from sharing.storage import (
    audience_key_insert_triggers,
    audience_key_triggers,
    drop_audience_key_triggers,
)

revision: str = "0016_articles"
down_revision: str | None = "0015_change_log_planned_per_call"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachment_blobs")),
    )
    op.create_table(
        "articles",
        sa.Column("owner_member_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "AUTHENTICATION_GUIDE",
                "TRAINING_MATERIAL",
                "LEGAL_PLAYBOOK",
                "INVESTIGATION_TECHNIQUE",
                "CASE_STUDY",
                name="articlekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PUBLISHED", "RETRACTED", name="articlestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "tlp",
            sa.Enum(
                "CLEAR",
                "GREEN",
                "AMBER",
                "AMBER_STRICT",
                "RED",
                name="tlp",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_audience", sa.Text(), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audience_keys", sharing.audience_keys.KeyList(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_member_id"], ["members.id"], name=op.f("fk_articles_owner_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_articles_owner_member_id_id", ["owner_member_id", "id"], unique=False
        )
        batch_op.create_index("ix_articles_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "article_attachments",
        sa.Column("article_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_attachments_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_attachments")),
    )
    with op.batch_alter_table("article_attachments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_article_attachments_article_id", ["article_id", "created_at"], unique=False
        )

    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "BRAND",
                "CATEGORY",
                "JURISDICTION",
                "LANGUAGE",
                name="tagkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_tags_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "kind", "value", name=op.f("pk_article_tags")),
    )
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_article_tags_kind_value", ["kind", "value", "article_id"], unique=False
        )

    op.create_table(
        "article_versions",
        sa.Column("article_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_versions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "number", name=op.f("pk_article_versions")),
    )
    op.create_table(
        "articles_excludes",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["articles.id"],
            name=op.f("fk_articles_excludes_record_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "member_id", name=op.f("pk_articles_excludes")),
    )
    op.create_table(
        "articles_grants",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_key", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["articles.id"],
            name=op.f("fk_articles_grants_record_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "record_id", "target_kind", "target_key", name=op.f("pk_articles_grants")
        ),
    )
    with op.batch_alter_table("articles_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_articles_grants_target", ["target_kind", "target_key", "record_id"], unique=False
        )

    dialect = op.get_bind().dialect.name
    for statement in audience_key_triggers("articles", dialect):
        op.execute(statement)
    if dialect == "postgresql":
        for statement in audience_key_insert_triggers("articles"):
            op.execute(statement)
        for statement in search_index.postgresql_ddl():
            op.execute(statement)
    else:
        for statement in search_index.sqlite_ddl():
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in search_index.drop_sqlite_ddl():
            op.execute(statement)
    if dialect == "postgresql":
        for part in ("grants", "excludes"):
            op.execute(f"DROP FUNCTION IF EXISTS articles_{part}_keys_added() CASCADE")
    for statement in drop_audience_key_triggers("articles", dialect):
        op.execute(statement)
    with op.batch_alter_table("articles_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_grants_target")

    op.drop_table("articles_grants")
    op.drop_table("articles_excludes")
    op.drop_table("article_versions")
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_article_tags_kind_value")

    op.drop_table("article_tags")
    with op.batch_alter_table("article_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_article_attachments_article_id")

    op.drop_table("article_attachments")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_updated_at_id")
        batch_op.drop_index("ix_articles_owner_member_id_id")

    op.drop_table("articles")
    op.drop_table("attachment_blobs")
