"""Stored effective audiences: the grants and excludes tables of each shareable model.

A shareable model (`Shareable`: an `id` and an `owner_member_id`) is registered once with
`register_shareable`, which adds two tables beside it in its own metadata:

    <table>_grants   (record_id, target_kind, target_key, level)   PK (record_id, kind, key)
    <table>_excludes (record_id, member_id)                         PK (record_id, member_id)

Both cascade on delete of the record. They hold the *effective* audience, normalised (one
grant per target): "who could see it before, who can see it after" is a read of these rows
(`stored_audiences`). The record's own `audience_keys` column is the same audience
flattened for the read predicate (`sharing.audience_keys`); triggers created by
`audience_key_triggers` (in the migration that adds a shareable table) rewrite it from
these rows after every statement that changes them, so no writer can leave it behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Column, ForeignKey, Index, String, Table, Uuid, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from sharing.audience import (
    Audience,
    Grant,
    Level,
    normalize_grants,
    target_from_key,
    target_key,
)
from sharing.audience_keys import KeyList, exclude_key, grant_key, keys_column_value
from sharing.sql_lists import one_of


class Shareable:
    """Mixin marking an ORM model whose rows are read only through the sharing predicate.

    The model defines `id` (a UUID primary key) and `owner_member_id`, and is registered
    with `register_shareable` right after its class body.
    """

    id: Mapped[uuid.UUID]
    owner_member_id: Mapped[uuid.UUID]
    # Written by the triggers only (never by the ORM: it is not loaded, and no code sets it).
    audience_keys: Mapped[list[str] | None] = mapped_column(KeyList(), deferred=True)
    __audience_tables__: ClassVar[AudienceTables]


@dataclass(frozen=True, slots=True)
class AudienceTables:
    """The two tables holding one shareable model's effective audiences."""

    grants: Table
    excludes: Table
    # The model's expiry column (attribute name), if its records expire: once it has
    # passed, the record leaves every view but its owner's (sharing.predicate).
    expires: str | None = None


_REGISTRY: dict[type[Shareable], AudienceTables] = {}


def register_shareable(model: type[Shareable], *, expires: str | None = None) -> AudienceTables:
    """Create the grants and excludes tables of `model` in its metadata (once).

    `expires`: the attribute holding each record's expiry (a timezone-aware datetime or
    NULL for never); the read predicate hides a record from everyone but its owner once
    that moment has passed.
    """
    if model in _REGISTRY:
        return _REGISTRY[model]
    table: Table = model.__table__  # type: ignore[attr-defined]
    name = table.name
    grants = Table(
        f"{name}_grants",
        table.metadata,
        Column("record_id", Uuid(), ForeignKey(table.c.id, ondelete="CASCADE"), primary_key=True),
        Column("target_kind", String(16), primary_key=True),
        Column("target_key", String(64), primary_key=True),
        Column("level", String(16), nullable=False),
        # "Shared with me" views and re-application start from the target side.
        Index(f"ix_{name}_grants_target", "target_kind", "target_key", "record_id"),
    )
    excludes = Table(
        f"{name}_excludes",
        table.metadata,
        Column("record_id", Uuid(), ForeignKey(table.c.id, ondelete="CASCADE"), primary_key=True),
        Column("member_id", Uuid(), primary_key=True),
    )
    tables = AudienceTables(grants=grants, excludes=excludes, expires=expires)
    _REGISTRY[model] = tables
    model.__audience_tables__ = tables
    return tables


def shareable_models() -> tuple[type[Shareable], ...]:
    """Every registered shareable model."""
    return tuple(_REGISTRY)


def tables_of(model: type[Shareable]) -> AudienceTables:
    """The audience tables of a registered model; KeyError for an unregistered one."""
    return _REGISTRY[model]


def audience_keys_of(audience: Audience) -> list[str] | None:
    """The `audience_keys` the triggers give a record stored with `audience`: a writer
    that puts them in the record's row first spares the triggers a rewrite of it."""
    grants = [grant_key(level, kind, key) for kind, key, level in _grant_values(audience)]
    return keys_column_value([*grants, *(exclude_key(member) for member in audience.excludes)])


GRANT_COLUMNS = ("record_id", "target_kind", "target_key", "level")
EXCLUDE_COLUMNS = ("record_id", "member_id")


def _grant_values(audience: Audience) -> list[tuple[str, str, str]]:
    """(target kind, target key, level) of each stored grant of `audience`."""
    values = []
    for grant in normalize_grants(audience.grants):
        kind, key = target_key(grant.target)
        values.append((kind.value, key, grant.level.value))
    return values


def audience_rows(
    audiences: Mapping[uuid.UUID, Audience],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The grant rows (`GRANT_COLUMNS`) and exclude rows (`EXCLUDE_COLUMNS`) that store
    these effective audiences, for a writer inserting new records' audiences in bulk
    (e.g. by COPY): the same rows `write_audiences` writes. Each distinct audience is
    worked out once, however many records share it."""
    shapes: dict[Audience, tuple[list[tuple[str, str, str]], list[uuid.UUID]]] = {}
    grant_rows: list[tuple[Any, ...]] = []
    exclude_rows: list[tuple[Any, ...]] = []
    for record_id, audience in audiences.items():
        shape = shapes.get(audience)
        if shape is None:
            shape = shapes[audience] = (_grant_values(audience), sorted(audience.excludes))
        grants, excludes = shape
        grant_rows += [(record_id, *values) for values in grants]
        exclude_rows += [(record_id, member) for member in excludes]
    return grant_rows, exclude_rows


async def write_audiences(
    session: AsyncSession, model: type[Shareable], audiences: Mapping[uuid.UUID, Audience]
) -> None:
    """Replace the stored effective audience of each record (multi-row statements)."""
    if not audiences:
        return
    tables = tables_of(model)
    ids = list(audiences)
    await session.execute(delete(tables.grants).where(one_of(tables.grants.c.record_id, ids)))
    await session.execute(delete(tables.excludes).where(one_of(tables.excludes.c.record_id, ids)))
    grant_rows, exclude_rows = audience_rows(audiences)
    await _insert_rows(session, tables.grants, GRANT_COLUMNS, grant_rows)
    await _insert_rows(session, tables.excludes, EXCLUDE_COLUMNS, exclude_rows)


# Rows per INSERT. A list of parameter sets would be sent by asyncpg as one statement per
# row, each firing the tables' statement triggers (audience keys, change log): a policy
# re-applied to 10,000 records took 150 s that way (bench/policy_feed.py).
_ROWS_PER_INSERT = 1000


async def _insert_rows(
    session: AsyncSession, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values = [dict(zip(columns, row, strict=True)) for row in chunk]
        await session.execute(insert(table).values(values))


async def stored_audiences(
    session: AsyncSession, model: type[Shareable], record_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Audience]:
    """The stored effective audience of each record (two statements, any number of ids).

    For writers and the feed ("who could see it before"): it reads the audience tables
    directly, so callers must only show the result to the record's owner.
    """
    ids = list(set(record_ids))
    if not ids:
        return {}
    tables = tables_of(model)
    grants: dict[uuid.UUID, list[Grant]] = {rid: [] for rid in ids}
    excludes: dict[uuid.UUID, set[uuid.UUID]] = {rid: set() for rid in ids}
    g = tables.grants
    for row in await session.execute(select(g).where(one_of(g.c.record_id, ids))):
        grants[row.record_id].append(
            Grant(target_from_key(row.target_kind, row.target_key), Level(row.level))
        )
    x = tables.excludes
    for row in await session.execute(select(x).where(one_of(x.c.record_id, ids))):
        excludes[row.record_id].add(row.member_id)
    return {rid: Audience(frozenset(grants[rid]), frozenset(excludes[rid])) for rid in ids}


async def withdraw_owner(session: AsyncSession, owner_id: uuid.UUID) -> None:
    """Make every record of `owner_id`, in every shareable model, visible to its owner only:
    its stored grants and excludes are deleted (offboarding with WITHDRAW)."""
    for model, tables in _REGISTRY.items():
        table: Any = getattr(model, "__table__")  # noqa: B009 - the mixin does not declare it
        owned = select(table.c.id).where(table.c.owner_member_id == owner_id)
        await session.execute(delete(tables.grants).where(tables.grants.c.record_id.in_(owned)))
        await session.execute(delete(tables.excludes).where(tables.excludes.c.record_id.in_(owned)))


def _keys_of(table: str, record: str) -> str:
    # The keys of one record, from its grants and excludes rows: the SQL twin of
    # sharing.audience_keys.grant_key / exclude_key, sorted by code point.
    return (
        f"SELECT g.level || ':' || g.target_kind || ':' || g.target_key AS k "  # noqa: S608 - names of our own tables, no input
        f"FROM {table}_grants g WHERE g.record_id = {record} "
        f"UNION ALL SELECT 'EXCLUDE:' || {{member_hex}} "
        f"FROM {table}_excludes x WHERE x.record_id = {record}"
    )


def audience_key_triggers(table: str, dialect: str) -> list[str]:
    """DDL of the triggers keeping `<table>.audience_keys` equal to its grants and
    excludes rows, for `dialect` ("postgresql" or "sqlite"): statement-level with
    transition tables on PostgreSQL (one UPDATE per statement, rows whose keys did not
    change are not rewritten), row-level on SQLite."""
    if dialect == "postgresql":
        keys = _keys_of(table, "c.record_id").format(
            member_hex="replace(x.member_id::text, '-', '')"
        )
        function = f"{table}_audience_keys_refresh"
        statements = [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {table} AS r SET audience_keys = k.keys
  FROM (SELECT c.record_id,
               (SELECT array_agg(s.k ORDER BY s.k COLLATE "C") FROM ({keys}) s) AS keys
        FROM (SELECT DISTINCT record_id FROM changed) c) k
  WHERE r.id = k.record_id AND r.audience_keys IS DISTINCT FROM k.keys;
  RETURN NULL;
END $$"""  # noqa: S608 - names of our own tables, no input
        ]
        for part in ("grants", "excludes"):
            for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                statements.append(
                    f"CREATE TRIGGER {table}_{part}_keys_{event.lower()} AFTER {event} "
                    f"ON {table}_{part} REFERENCING {rows} TABLE AS changed "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
        return statements
    statements = []
    for part in ("grants", "excludes"):
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            keys = _keys_of(table, f"{row}.record_id").format(member_hex="lower(x.member_id)")
            statements.append(
                f"CREATE TRIGGER {table}_{part}_keys_{event.lower()} AFTER {event} "  # noqa: S608 - names of our own tables, no input
                f"ON {table}_{part} FOR EACH ROW BEGIN "
                f"UPDATE {table} SET audience_keys = "
                f"(SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_group_array(s.k) END "
                f"FROM (SELECT k FROM ({keys}) ORDER BY k) s) "
                f"WHERE id = {row}.record_id; END"
            )
    return statements


_ADDED_KEY = {
    "grants": "n.level || ':' || n.target_kind || ':' || n.target_key",
    "excludes": "'EXCLUDE:' || replace(n.member_id::text, '-', '')",
}


def audience_key_insert_triggers(table: str) -> list[str]:
    """PostgreSQL DDL replacing the INSERT triggers of `audience_key_triggers`: rows
    added to the grants or excludes of records whose keys already hold the added keys
    leave those records alone, others get their keys recomputed in full.

    A writer that stores new records with their keys in the row (the bulk path, through
    `audience_keys_of`) then adds their grants and excludes in two statements: the
    full refresh rewrote every new record after the first (its keys lacked the second
    table's rows for a moment) and again after the second, each rewrite a new version
    of the row in every index. Deletes and updates still recompute in full: a key can
    only go stale by leaving the tables, and those triggers see it leave."""
    keys = _keys_of(table, "c.record_id").format(member_hex="replace(x.member_id::text, '-', '')")
    statements = []
    for part, added in _ADDED_KEY.items():
        function = f"{table}_{part}_keys_added"
        statements += [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {table} AS r SET audience_keys = k.keys
  FROM (SELECT c.record_id,
               (SELECT array_agg(s.k ORDER BY s.k COLLATE "C") FROM ({keys}) s) AS keys
        FROM (SELECT DISTINCT n.record_id FROM changed n JOIN {table} t ON t.id = n.record_id
              WHERE NOT coalesce(t.audience_keys @> ARRAY[{added}]::text[], false)) c) k
  WHERE r.id = k.record_id AND r.audience_keys IS DISTINCT FROM k.keys;
  RETURN NULL;
END $$""",  # noqa: S608 - names of our own tables, no input
            f"DROP TRIGGER IF EXISTS {table}_{part}_keys_insert ON {table}_{part}",
            f"CREATE TRIGGER {table}_{part}_keys_insert AFTER INSERT ON {table}_{part} "
            f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return statements


def drop_audience_key_insert_triggers(table: str) -> list[str]:
    """PostgreSQL DDL undoing `audience_key_insert_triggers` (the INSERT triggers of
    `audience_key_triggers` back in place)."""
    statements = []
    for part in _ADDED_KEY:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_{part}_keys_insert ON {table}_{part}",
            f"DROP FUNCTION IF EXISTS {table}_{part}_keys_added()",
            f"CREATE TRIGGER {table}_{part}_keys_insert AFTER INSERT ON {table}_{part} "
            f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {table}_audience_keys_refresh()",
        ]
    return statements


def audience_keys_backfill(table: str, dialect: str) -> str:
    """One statement setting every record's `audience_keys` from its grants and excludes
    (for the migration that adds the column: one pass instead of a trigger per record)."""
    member_hex = (
        "replace(x.member_id::text, '-', '')" if dialect == "postgresql" else "lower(x.member_id)"
    )
    rows = (
        f"SELECT g.record_id AS r, g.level || ':' || g.target_kind || ':' || g.target_key AS k "  # noqa: S608 - our own names
        f"FROM {table}_grants g UNION ALL SELECT x.record_id, 'EXCLUDE:' || {member_hex} "
        f"FROM {table}_excludes x"
    )
    if dialect == "postgresql":
        return (
            f"UPDATE {table} AS t SET audience_keys = a.keys "  # noqa: S608 - our own names
            f'FROM (SELECT r, array_agg(k ORDER BY k COLLATE "C") AS keys FROM ({rows}) s '
            f"GROUP BY r) a WHERE t.id = a.r"
        )
    return (
        f"UPDATE {table} SET audience_keys = (SELECT json_group_array(k) FROM "  # noqa: S608
        f"(SELECT s.k FROM ({rows}) s WHERE s.r = {table}.id ORDER BY s.k)) "
        f"WHERE id IN (SELECT record_id FROM {table}_grants "
        f"UNION SELECT record_id FROM {table}_excludes)"
    )


def drop_audience_key_triggers(table: str, dialect: str) -> list[str]:
    """DDL undoing `audience_key_triggers`."""
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_{part}_keys_{event}"
        + (f" ON {table}_{part}" if dialect == "postgresql" else "")
        for part in ("grants", "excludes")
        for event in ("insert", "update", "delete")
    ]
    if dialect == "postgresql":
        statements.append(f"DROP FUNCTION IF EXISTS {table}_audience_keys_refresh()")
    return statements
