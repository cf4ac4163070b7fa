"""Substring search in indicator values (`valueContains`), served by an index on both
engines: a pg_trgm GIN index on PostgreSQL, an FTS5 trigram table on SQLite.

Both are case-insensitive and need at least three characters (a trigram). The fragment is
matched literally: `%`, `_` and the escape character are not wildcards.

SQLite keeps `indicators_value_search`, an external-content FTS5 table over
`indicators.value` keyed by the table's rowid, in step with triggers (migration 0009). A
migration that rebuilds `indicators` on SQLite (alembic's batch "move and copy") drops
those triggers and renumbers rowids: it must recreate them with `sqlite_ddl()` and
rebuild the index (`REBUILD`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

MIN_LENGTH = 3
TRIGRAM_INDEX = "ix_indicators_value_trgm"  # PostgreSQL
SEARCH_TABLE = "indicators_value_search"  # SQLite
REBUILD = f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')"  # noqa: S608 - our own names, no input


def like_pattern(fragment: str) -> str:
    """`%fragment%` with the fragment's own wildcards escaped by a backslash."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _contains(FunctionElement[bool]):
    type = Boolean()
    inherit_cache = True
    name = "value_contains"


@compiles(_contains, "postgresql")
def _contains_postgresql(element: _contains, compiler: SQLCompiler, **kw: Any) -> str:
    # LIKE's default escape character is the backslash: no ESCAPE clause, which would
    # hide the pattern from the trigram index behind a function call.
    column, pattern, _ = element.clauses
    return f"({compiler.process(column, **kw)} ILIKE {compiler.process(pattern, **kw)})"


@compiles(_contains)
def _contains_sqlite(element: _contains, compiler: SQLCompiler, **kw: Any) -> str:
    # A trigram FTS5 phrase query is a literal substring test that uses the index (LIKE
    # with an ESCAPE clause would scan the whole table).
    column, _, phrase = element.clauses
    table = compiler.process(column, **kw).rsplit(".", 1)[0]
    return (
        f"({table}.rowid IN (SELECT rowid FROM {SEARCH_TABLE} "  # noqa: S608 - our own names
        f"WHERE {SEARCH_TABLE} MATCH {compiler.process(phrase, **kw)}))"
    )


def value_contains(column: Any, fragment: str) -> ColumnElement[bool]:
    """Rows whose value (`column`: Indicator.value or an alias's) holds `fragment`, in any
    letter case. The caller checks MIN_LENGTH."""
    phrase = '"' + fragment.replace('"', '""') + '"'
    return _contains(column, literal(like_pattern(fragment)), literal(phrase))


def postgresql_ddl() -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON indicators USING gin (value gin_trgm_ops)",
    ]


def sqlite_ddl() -> list[str]:
    """The FTS5 table and the triggers keeping it in step with `indicators`."""
    search = SEARCH_TABLE
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {search} USING fts5("
        "value, content='indicators', content_rowid='rowid', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {search}_insert AFTER INSERT ON indicators BEGIN "  # noqa: S608 - our own names, no input
        f"INSERT INTO {search}(rowid, value) VALUES (new.rowid, new.value); END",
        f"CREATE TRIGGER IF NOT EXISTS {search}_delete AFTER DELETE ON indicators BEGIN "  # noqa: S608 - our own names, no input
        f"INSERT INTO {search}({search}, rowid, value) "
        "VALUES ('delete', old.rowid, old.value); END",
        f"CREATE TRIGGER IF NOT EXISTS {search}_update AFTER UPDATE OF value ON indicators BEGIN "  # noqa: S608 - our own names, no input
        f"INSERT INTO {search}({search}, rowid, value) VALUES ('delete', old.rowid, old.value); "
        f"INSERT INTO {search}(rowid, value) VALUES (new.rowid, new.value); END",
    ]


def is_managed_here(name: str | None) -> bool:
    """Whether a table or index is this module's (made by migration, not by the models):
    alembic's comparison with the models leaves them alone."""
    return bool(name) and (name == TRIGRAM_INDEX or str(name).startswith(SEARCH_TABLE))
