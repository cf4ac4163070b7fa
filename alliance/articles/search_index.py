"""The full-text index of articles, on both engines (docs/articles.md, "Search").

PostgreSQL: `articles.search_vector`, a stored generated `tsvector` column (title weight
A, body weight B, text search configuration 'simple': no stemming and no stop words, the
same for every language an article may be in) with a GIN index. SQLite: `articles_fts`,
an external-content FTS5 table over (title, body) keyed by the table's rowid, kept in
step by triggers (unicode61 tokenizer, diacritics folded). Both are made by the
migration only (no model); alembic's comparison leaves them alone (`is_managed_here`).

A migration that rebuilds `articles` on SQLite (alembic's batch "move and copy") drops
the triggers and renumbers rowids: it must recreate them with `sqlite_ddl()` and run
`REBUILD`.
"""

from __future__ import annotations

FTS_TABLE = "articles_fts"  # SQLite
VECTOR_COLUMN = "search_vector"  # PostgreSQL
VECTOR_INDEX = "ix_articles_search_vector"  # PostgreSQL
CONFIG = "simple"
REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"  # noqa: S608 - our own names, no input


def postgresql_ddl() -> list[str]:
    """The generated column and its GIN index."""
    vector = (
        f"setweight(to_tsvector('{CONFIG}', coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{CONFIG}', coalesce(body, '')), 'B')"
    )
    return [
        f"ALTER TABLE articles ADD COLUMN {VECTOR_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({vector}) STORED",
        f"CREATE INDEX {VECTOR_INDEX} ON articles USING gin ({VECTOR_COLUMN})",
    ]


def sqlite_ddl() -> list[str]:
    """The FTS5 table and the triggers keeping it in step with `articles`."""
    fts = FTS_TABLE
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(title, body, content='articles', "
        "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON articles BEGIN "  # noqa: S608 - our own names, no input
        f"INSERT INTO {fts}(rowid, title, body) VALUES (new.rowid, new.title, new.body); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON articles BEGIN "  # noqa: S608 - our own names, no input
        f"INSERT INTO {fts}({fts}, rowid, title, body) "
        "VALUES ('delete', old.rowid, old.title, old.body); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF title, body ON articles "  # noqa: S608 - our own names, no input
        f"BEGIN INSERT INTO {fts}({fts}, rowid, title, body) "
        "VALUES ('delete', old.rowid, old.title, old.body); "
        f"INSERT INTO {fts}(rowid, title, body) VALUES (new.rowid, new.title, new.body); END",
    ]


def drop_sqlite_ddl() -> list[str]:
    """DDL undoing `sqlite_ddl`."""
    triggers = [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{event}" for event in ("insert", "delete")]
    return [*triggers, f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update", f"DROP TABLE {FTS_TABLE}"]


def is_managed_here(name: str | None, kind: str) -> bool:
    """Whether a table, index or column is this module's (made by the migration, not by
    the models): alembic's comparison with the models leaves it alone."""
    if not name:
        return False
    if kind == "column":
        return name == VECTOR_COLUMN
    return name == VECTOR_INDEX or name.startswith(FTS_TABLE)
