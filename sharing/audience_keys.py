"""A record's stored effective audience, flattened into one column the read predicate
tests without leaving the row.

Every shareable table carries `audience_keys`: one text key per stored grant,
`<LEVEL>:<target_kind>:<target_key>` (`FULL:alliance:`, `ANONYMOUS:region:EU`,
`MATCH_ONLY:member:<uuid>`), and one per excluded member, `EXCLUDE:<member uuid hex>`;
NULL when the record has neither. The grants and excludes tables stay the source of
truth (`sharing.storage`): database triggers rewrite a record's keys whenever one of its
rows there changes, in the same statement, whoever writes them (docs/performance.md).

Why: with visibility in the row, a page walks the index of its ordering and keeps the
rows whose keys overlap the viewer's, a test on the row already in hand. The plan's cost
follows the page, not the table, and it is the same plan for every viewer (no sub-plan,
no hashed scan of the grants; generic and custom plans agree).

On PostgreSQL the column is `text[]` and the tests are `&&` (overlap); on SQLite it is a
JSON array and they are `json_each` look-ups. NULL overlaps nothing, so a record without
keys is visible to its owner only, whatever the engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Boolean, ColumnElement, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from sharing.audience import Level, TargetKind

EXCLUDE = "EXCLUDE"


def grant_key(level: Level | str, kind: TargetKind | str, key: str) -> str:
    """The key of a grant at `level` to the target stored as (`kind`, `key`)."""
    return f"{level}:{kind}:{key}"


def exclude_key(member_id: uuid.UUID) -> str:
    """The key of an exclusion of `member_id`."""
    return f"{EXCLUDE}:{member_id.hex}"


def keys_column_value(keys: Iterable[str]) -> list[str] | None:
    """The stored form of a record's keys: sorted by code point (as the triggers sort
    them), NULL when there are none."""
    ordered = sorted(set(keys))
    return ordered or None


class KeyList(TypeDecorator[list[str]]):
    """A list of keys: `text[]` on PostgreSQL, a JSON array elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Text()))
        return dialect.type_descriptor(JSON())


class overlaps(FunctionElement[bool]):
    """True when the key list `column` holds any key of the list `keys` (NULL or empty
    lists overlap nothing)."""

    type = Boolean()
    inherit_cache = True
    name = "overlaps"


@compiles(overlaps, "postgresql")
def _overlaps_postgresql(element: overlaps, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = element.clauses
    return f"({compiler.process(column, **kw)} && {compiler.process(keys, **kw)})"


@compiles(overlaps)
def _overlaps_json(element: overlaps, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = element.clauses
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) AS held "  # noqa: S608 - compiled SQL of our own, no input
        f"WHERE held.value IN (SELECT value FROM json_each({compiler.process(keys, **kw)})))"
    )


def overlap(column: Any, keys: Any) -> ColumnElement[bool]:
    """`column` (a KeyList column) holds any of `keys` (a KeyList value or parameter)."""
    return overlaps(column, keys)
