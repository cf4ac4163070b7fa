"""`column IN (values)` written so that its SQL is the same for any number of values.

SQLAlchemy renders `column.in_(values)` with one parameter per value, so a page whose
nested reads list 37 ids and one that lists 50 run different SQL texts: each is compiled
and prepared on its own (PostgreSQL's driver keeps 100 prepared statements per
connection, and a request's few statements churned through them). `one_of` binds the
whole list as one parameter instead:

- PostgreSQL: `column = ANY(:values)`, an array (`uuid[]`, `text[]`...), which the planner
  turns into the same index probes as the `IN` list;
- SQLite: `column IN (SELECT value FROM json_each(:values))`, a JSON array of the values
  in the column's stored form (a UUID as its 32 hex digits), probed through the index too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Text, TypeDecorator, TypeEngine


class ValueList(TypeDecorator[list[Any]]):
    """A list of values of one column type: an array on PostgreSQL, a JSON array of the
    values' stored forms elsewhere."""

    impl = Text
    cache_ok = True

    def __init__(self, item: TypeEngine[Any]) -> None:
        super().__init__()
        self.item = item

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(self.item))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        stored = self.item.dialect_impl(dialect).bind_processor(dialect)
        return json.dumps([stored(v) if stored else v for v in value])


class _one_of(FunctionElement[bool]):
    type = Boolean()
    inherit_cache = True
    name = "one_of"


@compiles(_one_of, "postgresql")
def _one_of_postgresql(element: _one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = element.clauses
    return f"({compiler.process(column, **kw)} = ANY({compiler.process(values, **kw)}))"


@compiles(_one_of)
def _one_of_json(element: _one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = element.clauses
    return (
        f"({compiler.process(column, **kw)} IN "  # noqa: S608 - compiled SQL of our own, no input
        f"(SELECT value FROM json_each({compiler.process(values, **kw)})))"
    )


def one_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (values)`, one parameter for the whole list (an empty list: false)."""
    listed = list(dict.fromkeys(values))  # duplicates dropped, order kept
    return _one_of(column, bindparam(None, listed, type_=ValueList(column.type)))
