"""Many rows in few statements: COPY on PostgreSQL, multi-row INSERT elsewhere (DESIGN §9).

Rows are tuples in the order of the `columns` given, holding the same Python values the
ORM would bind (enums, dicts for JSON, aware datetimes, UUIDs); the columns' own bind
processors turn them into what the database stores, so a row written here reads back
exactly like one written through SQLAlchemy.

On PostgreSQL the rows go through the raw asyncpg connection under the session's
connection, inside the session's transaction: they commit or roll back with everything
else the caller wrote.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.ext.asyncio import AsyncSession

Row = tuple[Any, ...]
_MISSING = object()
# Rows per multi-row statement on SQLite: well under its bound-parameter limit.
SQLITE_CHUNK = 500


def _require_complete(table: Table, columns: Sequence[str]) -> None:
    # COPY applies server defaults only; a required column left out would be a bug here.
    missing = [
        column.name
        for column in table.columns
        if column.name not in columns
        and not column.nullable
        and column.server_default is None
        and column.autoincrement is not True
    ]
    if missing:
        raise ValueError(f"rows for {table.name} lack required columns: {', '.join(missing)}")


def _processors(
    table: Table, columns: Sequence[str], dialect: Dialect
) -> list[tuple[int, Callable[[Any], Any]]]:
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for position, name in enumerate(columns):
        column_type = table.c[name].type
        processor = column_type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            found.append((position, processor))
    return found


def _bound(rows: Sequence[Row], processors: list[tuple[int, Callable[[Any], Any]]]) -> list[Row]:
    if not processors:
        return list(rows)
    # Rows repeat the same objects (enum members, a shared JSON dict): each is processed
    # once. Keyed by identity, which is sound while `rows` keeps every value alive.
    memos: list[tuple[int, Callable[[Any], Any], dict[int, Any]]] = [
        (position, processor, {}) for position, processor in processors
    ]
    converted = []
    for row in rows:
        values = list(row)
        for position, processor, memo in memos:
            value = values[position]
            done = memo.get(id(value), _MISSING)
            if done is _MISSING:
                done = memo[id(value)] = processor(value)
            values[position] = done
        converted.append(tuple(values))
    return converted


async def _driver(session: AsyncSession) -> Any:
    """The asyncpg connection under the session's connection, inside its transaction."""
    # What the session holds unflushed goes first, as before any statement it executes
    # itself: rows copied here may refer to it, and audit events keep their order.
    await session.flush()
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None:
        raise RuntimeError("the session's connection is closed")
    if not driver.is_in_transaction():
        # SQLAlchemy's asyncpg adapter sends BEGIN with the first statement.
        await connection.exec_driver_sql("SELECT 1")
    if not driver.is_in_transaction():
        raise RuntimeError("bulk rows are written inside a transaction only")
    return driver


async def copy_rows(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Append `rows` to `table` (they must not conflict with rows already there)."""
    if not rows:
        return
    _require_complete(table, columns)
    if session.get_bind().dialect.name == "postgresql":
        await _copy(session, table, columns, rows, into=table.name)
        return
    await _insert_chunks(session, insert(table), columns, rows)


async def copy_new_rows(
    session: AsyncSession,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    conflict: Sequence[str],
    returning: str,
) -> list[Any]:
    """Insert the `rows` that conflict with no row of `table` on the unique columns
    `conflict`; returns the `returning` column of each row inserted.

    PostgreSQL: COPY into a temporary staging table, then one `INSERT … SELECT … ON
    CONFLICT DO NOTHING`; elsewhere: multi-row `INSERT … ON CONFLICT DO NOTHING`.
    """
    if not rows:
        return []
    _require_complete(table, columns)
    if session.get_bind().dialect.name != "postgresql":
        statement = (
            sqlite.insert(table)
            .on_conflict_do_nothing(index_elements=list(conflict))
            .returning(table.c[returning])
        )
        return await _insert_chunks(session, statement, columns, rows)
    # A name of its own: a caller may write twice in one transaction. Only names of our
    # own tables and columns are interpolated, never input.
    staging = f"staging_{table.name}_{uuid.uuid4().hex[:12]}"
    names = ", ".join(f'"{name}"' for name in columns)
    driver = await _driver(session)
    await driver.execute(
        f'CREATE TEMPORARY TABLE "{staging}" (LIKE "{table.name}" INCLUDING DEFAULTS) '
        "ON COMMIT DROP"
    )
    await _copy(session, table, columns, rows, into=staging)
    inserted = await driver.fetch(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" '  # noqa: S608
        f'ON CONFLICT ({", ".join(conflict)}) DO NOTHING RETURNING "{returning}"'
    )
    await driver.execute(f'DROP TABLE "{staging}"')
    return [row[0] for row in inserted]


async def _copy(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[Row], *, into: str
) -> None:
    # `into`: `table` itself, or a staging table of the same columns.
    driver = await _driver(session)
    records = _bound(rows, _processors(table, columns, session.get_bind().dialect))
    await driver.copy_records_to_table(into, records=records, columns=list(columns))


async def _insert_chunks(
    session: AsyncSession, statement: Any, columns: Sequence[str], rows: Sequence[Row]
) -> list[Any]:
    """Multi-row statements of `SQLITE_CHUNK` rows; what they return, if anything."""
    returned: list[Any] = []
    for start in range(0, len(rows), SQLITE_CHUNK):
        chunk = [dict(zip(columns, row, strict=True)) for row in rows[start : start + SQLITE_CHUNK]]
        result = cast(CursorResult[Any], await session.execute(statement, chunk))
        if result.returns_rows:
            returned += result.scalars().all()
    return returned
