"""Stored effective audiences: the grants and excludes tables of each shareable model.

A shareable model (`Shareable`: an `id` and an `owner_member_id`) is registered once with
`register_shareable`, which adds two tables beside it in its own metadata:

    <table>_grants   (record_id, target_kind, target_key, level)   PK (record_id, kind, key)
    <table>_excludes (record_id, member_id)                         PK (record_id, member_id)

Both cascade on delete of the record. They hold the *effective* audience, normalised (one
grant per target), so reads stay one indexed predicate (`sharing.predicate`) and "who could
see it before, who can see it after" is a read of these rows (`stored_audiences`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Column, ForeignKey, Index, String, Table, Uuid, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped

from sharing.audience import (
    Audience,
    Grant,
    Level,
    normalize_grants,
    target_from_key,
    target_key,
)


class Shareable:
    """Mixin marking an ORM model whose rows are read only through the sharing predicate.

    The model defines `id` (a UUID primary key) and `owner_member_id`, and is registered
    with `register_shareable` right after its class body.
    """

    id: Mapped[uuid.UUID]
    owner_member_id: Mapped[uuid.UUID]
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
    await session.execute(delete(tables.grants).where(tables.grants.c.record_id.in_(ids)))
    await session.execute(delete(tables.excludes).where(tables.excludes.c.record_id.in_(ids)))
    grant_rows, exclude_rows = audience_rows(audiences)
    if grant_rows:
        rows = [dict(zip(GRANT_COLUMNS, row, strict=True)) for row in grant_rows]
        await session.execute(insert(tables.grants), rows)
    if exclude_rows:
        rows = [dict(zip(EXCLUDE_COLUMNS, row, strict=True)) for row in exclude_rows]
        await session.execute(insert(tables.excludes), rows)


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
    for row in await session.execute(select(g).where(g.c.record_id.in_(ids))):
        grants[row.record_id].append(
            Grant(target_from_key(row.target_kind, row.target_key), Level(row.level))
        )
    x = tables.excludes
    for row in await session.execute(select(x).where(x.c.record_id.in_(ids))):
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
