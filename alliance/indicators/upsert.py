"""Bulk upsert of one member's indicators (DESIGN §4): up to `MAX_BATCH` items per call.

Each item is keyed on the owner's external id, else on (kind, match key) among the
owner's records; only the caller's own records are ever looked up, so an item never
touches, nor learns anything of, another member's record. Each item gets an answer:
CREATED, UPDATED, UNCHANGED, or REJECTED with the error naming its field; valid items
are written even when others are rejected. The caller's transaction holds the whole
call: it commits or rolls back as one.

The rules are those of the single path (`rules`, `draft_fields`, `BatchRules`); what
differs is only that an item of a record that exists is an update, where a second
`indicatorCreate` is a conflict. The statements are multi-row, whatever the number of
items: one lookup per kind of key, COPY (or multi-row INSERT) for new rows, one UPDATE
per set of changed columns.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.copy_rows import copy_rows
from alliance.errors import AllianceError, Conflict
from alliance.indicators import rules
from alliance.indicators.bulk import insert_new_rows, store_rows
from alliance.indicators.bulk_audit import audit_bulk
from alliance.indicators.bulk_rows import (
    BatchRows,
    BatchRules,
    add_draft,
    random_uuids,
)
from alliance.indicators.item_results import ItemResult
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator, indicator_brands
from alliance.indicators.upsert_items import Keyed, UpsertItem, key_of, update_plan
from alliance.indicators.vocabulary import IndicatorStatus, UpsertStatus
from sharing import Viewer
from sharing.audience import Audience
from sharing.sql_lists import one_of
from sharing.storage import write_audiences

__all__ = ["UpsertItem", "upsert_indicators"]

_LOOKED_UP = (
    "id", "external_id", "kind", "match_key", "status", "tlp", "requested_audience",
    "personal_data_region", *rules.CHANGEABLE,
)  # fmt: skip


@dataclasses.dataclass
class _Writes:
    """What the call writes, gathered before anything is written."""

    new: BatchRows = dataclasses.field(default_factory=BatchRows)
    updates: dict[uuid.UUID, dict[str, Any]] = dataclasses.field(default_factory=dict)
    brands: dict[uuid.UUID, frozenset[uuid.UUID]] = dataclasses.field(default_factory=dict)
    audiences: dict[uuid.UUID, Audience] = dataclasses.field(default_factory=dict)
    # The kind of each record updated, for its audit event.
    updated: dict[uuid.UUID, str] = dataclasses.field(default_factory=dict)


async def upsert_indicators(
    session: AsyncSession, *, viewer: Viewer, items: Sequence[UpsertItem | AllianceError]
) -> list[ItemResult]:
    """Create or update the viewer's member's indicators of `items`; one result per
    item, in order. An item that is already an error (malformed input the API caught)
    is answered as REJECTED with it. `Forbidden` without `sync` or `indicators:write`;
    `InvalidInput` on `items` for more than `MAX_BATCH` (nothing is written then)."""
    owner = rules.require_bulk_writer(viewer)
    rules.require_batch_size(len(items), "items")
    batch = await BatchRules.load(session, owner)
    results: dict[int, ItemResult] = {}
    keyed = _keyed(items, results)
    found = await _existing(session, owner, keyed)
    brands = await _brands_of(session, [row["id"] for row in found.values()])
    writes = _Writes()
    claimed: dict[uuid.UUID, int] = {}
    record_ids = iter(random_uuids(len(keyed)))
    for item in keyed:
        row = found.get(item.key)
        try:
            if row is None:
                results[item.index] = _create(writes, batch, item, next(record_ids))
            else:
                _claim(claimed, item, row["id"])
                results[item.index] = _update(writes, batch, item, row, brands)
        except AllianceError as refused:
            results[item.index] = _rejected(item.index, refused, item.external_id)
    await _write(session, viewer, writes)
    return [results[index] for index in range(len(items))]


def _rejected(index: int, error: AllianceError, external_id: str | None = None) -> ItemResult:
    return ItemResult(index, UpsertStatus.REJECTED, None, external_id, error)


def _keyed(
    items: Sequence[UpsertItem | AllianceError], results: dict[int, ItemResult]
) -> list[Keyed]:
    """The items that can be looked up (value normalised, external id checked), each
    key once; the others go to `results` as rejected."""
    keyed: list[Keyed] = []
    first_at: dict[tuple[str, ...], int] = {}
    for index, item in enumerate(items):
        if isinstance(item, AllianceError):
            results[index] = _rejected(index, item)
            continue
        try:
            found = key_of(index, item)
            if found.key in first_at:
                raise Conflict(
                    f"Item {first_at[found.key]} of this call has the same "
                    f"{'external id' if found.external_id else 'kind and value'}; "
                    "send each record once per call.",
                    field="externalId" if found.external_id else "value",
                )
        except AllianceError as invalid:
            results[index] = _rejected(index, invalid, item.external_id)
            continue
        first_at[found.key] = index
        keyed.append(found)
    return keyed


def _claim(claimed: dict[uuid.UUID, int], item: Keyed, record: uuid.UUID) -> None:
    # An item keyed by value may find the record another item names by external id.
    if record in claimed:
        raise Conflict(
            f"Item {claimed[record]} of this call writes the same indicator; "
            "send each record once per call.",
            field="value",
        )
    claimed[record] = item.index


def _create(writes: _Writes, batch: BatchRules, item: Keyed, record: uuid.UUID) -> ItemResult:
    add_draft(writes.new, batch, item.item.draft(), record, item.normalized)
    return ItemResult(item.index, UpsertStatus.CREATED, record, item.external_id)


def _update(
    writes: _Writes,
    batch: BatchRules,
    item: Keyed,
    row: dict[str, Any],
    brands: dict[uuid.UUID, frozenset[uuid.UUID]],
) -> ItemResult:
    record = row["id"]
    plan = update_plan(batch, item, row, brands.get(record, frozenset()))
    if plan.empty:
        return ItemResult(item.index, UpsertStatus.UNCHANGED, record, row["external_id"])
    writes.updated[record] = str(row["kind"])
    if plan.columns:
        writes.updates[record] = plan.columns
    if plan.brands is not None:
        writes.brands[record] = plan.brands
    if plan.audience is not None:
        writes.audiences[record] = plan.audience
    return ItemResult(item.index, UpsertStatus.UPDATED, record, row["external_id"])


async def _existing(
    session: AsyncSession, owner: uuid.UUID, keyed: Sequence[Keyed]
) -> dict[tuple[str, ...], dict[str, Any]]:
    """The owner's records the items name, by key, locked: one statement by external
    id, one by value. Core, not ORM: the owner's every record counts, whatever a
    viewer session would show; a value matches the owner's oldest active record."""
    table = cast(Table, Indicator.__table__)
    columns = [table.c[name] for name in _LOOKED_UP]
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    externals = [item.external_id for item in keyed if item.external_id is not None]
    if externals:
        rows = await session.execute(
            select(*columns)
            .where(table.c.owner_member_id == owner, one_of(table.c.external_id, externals))
            .with_for_update()
        )
        for row in rows.mappings():
            found[("external", row["external_id"])] = dict(row)
    by_value = {item.key for item in keyed if item.external_id is None}
    if by_value:
        rows = await session.execute(
            select(*columns)
            .where(
                table.c.owner_member_id == owner,
                table.c.purged_at.is_(None),
                one_of(table.c.kind, sorted({IndicatorKind(key[1]) for key in by_value})),
                one_of(table.c.match_key, sorted({key[2] for key in by_value})),
            )
            .order_by(table.c.status != IndicatorStatus.ACTIVE, table.c.created_at, table.c.id)
            .with_for_update()
        )
        for row in rows.mappings():
            key = ("value", str(row["kind"]), row["match_key"])
            if key in by_value and key not in found:
                found[key] = dict(row)
    return found


async def _brands_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    if not ids:
        return {}
    column = indicator_brands.c.indicator_id
    rows = await session.execute(
        select(column, indicator_brands.c.brand_id).where(one_of(column, ids))
    )
    brands: dict[uuid.UUID, set[uuid.UUID]] = {}
    for record, brand in rows:
        brands.setdefault(record, set()).add(brand)
    return {record: frozenset(found) for record, found in brands.items()}


async def _write(session: AsyncSession, viewer: Viewer, writes: _Writes) -> None:
    table = cast(Table, Indicator.__table__)
    new = writes.new
    if new.indicators:
        inserted = await insert_new_rows(session, new)
        if len(inserted) < len(new.indicators):
            # A concurrent call of the owner stored one of these external ids first: the
            # whole call rolls back, and its retry finds that record.
            raise Conflict(
                "Another call stored some of these external ids at the same time; retry.",
                field="items",
            )
        await store_rows(session, new)
        created = zip(new.ids(), new.kinds, strict=True)
        await audit_bulk(session, viewer, "indicator.create", "Indicator", created)
    await _update_columns(session, table, writes.updates)
    if writes.brands:
        column = indicator_brands.c.indicator_id
        await session.execute(delete(indicator_brands).where(one_of(column, list(writes.brands))))
        pairs = [(record, brand) for record, chosen in writes.brands.items() for brand in chosen]
        await copy_rows(session, indicator_brands, ("indicator_id", "brand_id"), pairs)
    await write_audiences(session, Indicator, writes.audiences)
    await audit_bulk(session, viewer, "indicator.update", "Indicator", writes.updated.items())


async def _update_columns(
    session: AsyncSession,
    table: Table,
    updates: dict[uuid.UUID, dict[str, Any]],
) -> None:
    """One UPDATE per set of changed columns, executed for all its records at once."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record, columns in updates.items():
        names = tuple(sorted(columns))
        groups.setdefault(names, []).append({"record_id": record, **columns})
    for names, rows in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("record_id"))
            .values({name: bindparam(name) for name in names})
        )
        await session.execute(statement, rows, execution_options={"synchronize_session": False})
