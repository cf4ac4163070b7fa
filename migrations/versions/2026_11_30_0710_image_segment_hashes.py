"""Image segments carry the whole hash, and the bucket index covers it.

Revision ID: 0010_image_segment_hashes
Revises: 0009_indicator_value_search
Create Date: 2026-11-30 07:10:00

`similarImages` computes the exact distance of each candidate from the index entries it
probes, before it asks the viewer session which of the few within the distance the viewer
may list (docs/sharing.md). The table is rebuilt rather than altered: filling 16 rows per
image in place would rewrite every row and both indexes; a new table is written once and
indexed once. The hash is the indicator's match key (64 hex digits) as 32 bytes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_image_segment_hashes"
down_revision: str | None = "0009_indicator_value_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "indicator_image_segments"
OLD = "indicator_image_segments_old"
INDEX = "ix_indicator_image_segments_bucket"
BATCH = 10_000


def upgrade() -> None:
    bind = op.get_bind()
    op.drop_index(INDEX, table_name=TABLE)
    op.rename_table(TABLE, OLD)
    if bind.dialect.name == "postgresql":
        _rebuild_postgresql()
    else:
        _rebuild_sqlite()
    op.drop_table(OLD)
    op.create_index(INDEX, TABLE, ["bucket", "indicator_id", "hash"], unique=False)


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
    ]


def _rebuild_postgresql() -> None:
    # Keys and indexes are built once the rows are in: sorting 16 rows per image once is
    # much faster than inserting each into a growing index.
    op.execute("ALTER INDEX pk_indicator_image_segments RENAME TO pk_indicator_image_segments_old")
    op.create_table(TABLE, *_columns())
    op.execute(
        "INSERT INTO indicator_image_segments (indicator_id, bucket, hash) "
        "SELECT o.indicator_id, o.bucket, decode(i.match_key, 'hex') "
        "FROM indicator_image_segments_old o JOIN indicators i ON i.id = o.indicator_id"
    )
    op.create_primary_key(op.f("pk_indicator_image_segments"), TABLE, ["indicator_id", "bucket"])
    op.create_foreign_key(
        op.f("fk_indicator_image_segments_indicator_id_indicators"),
        TABLE,
        "indicators",
        ["indicator_id"],
        ["id"],
        ondelete="CASCADE",
    )


def _rebuild_sqlite() -> None:
    op.create_table(
        TABLE,
        *_columns(),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_image_segments_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("indicator_id", "bucket", name=op.f("pk_indicator_image_segments")),
    )
    # SQLite before 3.41 has no unhex(): the bytes are made here.
    found = op.get_bind().execute(
        sa.text(
            "SELECT o.indicator_id, o.bucket, i.match_key "
            "FROM indicator_image_segments_old o JOIN indicators i ON i.id = o.indicator_id"
        )
    )
    insert = sa.text(
        "INSERT INTO indicator_image_segments (indicator_id, bucket, hash) VALUES (:i, :b, :h)"
    )
    for rows in found.partitions(BATCH):
        op.get_bind().execute(
            insert, [{"i": i, "b": b, "h": bytes.fromhex(key)} for i, b, key in rows]
        )


def downgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("hash")
    op.create_index(INDEX, TABLE, ["bucket", "indicator_id"], unique=False)
