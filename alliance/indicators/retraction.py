"""Retracting many of one member's indicators in one call, by id or by external id.

The rule is the single path's (`rules.require_live`): only a live record is retracted;
an expired one is refused in both. Every item gets an answer: RETRACTED, UNCHANGED (it
was retracted already) or REJECTED (NOT_FOUND for an id that is not the caller's own,
visible or not, exactly as for a missing one; ILLEGAL_TRANSITION for an expired record).
Reads, decides and writes in a fixed number of statements, whatever the number of items.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.db import utcnow
from alliance.errors import AllianceError, NotFound
from alliance.indicators import rules
from alliance.indicators.bulk_audit import audit_bulk
from alliance.indicators.item_results import ItemResult
from alliance.indicators.models import Indicator
from alliance.indicators.vocabulary import IndicatorStatus, RetractStatus
from sharing import Viewer
from sharing.sql_lists import one_of

# An item: a record id, an external id, or the error its input already is (a malformed
# global id, say), answered as that item's rejection.
RetractItem = uuid.UUID | str | AllianceError


async def retract_many(
    session: AsyncSession,
    *,
    viewer: Viewer,
    items: Sequence[RetractItem],
    require: Callable[[Viewer], uuid.UUID] = rules.require_bulk_writer,
) -> list[ItemResult]:
    """Retract the viewer's member's live indicators among `items` (ids, or external ids
    as strings), in one transaction: one result per item, in order. `require` checks
    the viewer (`rules.require_writer` or `rules.require_bulk_writer`)."""
    owner = require(viewer)
    rules.require_batch_size(len(items), "items")
    found = await _own_records(session, owner, items)
    now = utcnow()
    results: list[ItemResult] = []
    chosen: dict[uuid.UUID, str] = {}
    for index, item in enumerate(items):
        result = _decide(index, item, found, chosen, now)
        if result.status is RetractStatus.RETRACTED and result.id is not None:
            chosen[result.id] = str(found[_key(item)]["kind"])
        results.append(result)
    if chosen:
        table = cast(Table, Indicator.__table__)
        await session.execute(
            update(table)
            .where(one_of(table.c.id, list(chosen)))
            .values(status=IndicatorStatus.RETRACTED, retracted_at=now, updated_at=now)
        )
        await audit_bulk(session, viewer, "indicator.retract", "Indicator", chosen.items())
    return results


def _key(item: RetractItem) -> uuid.UUID | str:
    if isinstance(item, str):
        return item.strip()
    return cast(uuid.UUID, item)


def _decide(
    index: int,
    item: RetractItem,
    found: dict[uuid.UUID | str, dict[str, Any]],
    chosen: dict[uuid.UUID, str],
    now: dt.datetime,
) -> ItemResult:
    external = item if isinstance(item, str) else None
    if isinstance(item, AllianceError):
        return ItemResult(index, RetractStatus.REJECTED, error=item)
    row = found.get(_key(item))
    if row is None:
        return ItemResult(
            index,
            RetractStatus.REJECTED,
            external_id=external,
            error=NotFound("indicator", field=None),
        )
    record, status = row["id"], IndicatorStatus(row["status"])
    if record in chosen or status is IndicatorStatus.RETRACTED:
        return ItemResult(index, RetractStatus.UNCHANGED, record, row["external_id"])
    try:
        rules.require_live(status, row["expires_at"], now, what="retracted", field=None)
    except AllianceError as refused:
        return ItemResult(index, RetractStatus.REJECTED, record, row["external_id"], refused)
    return ItemResult(index, RetractStatus.RETRACTED, record, row["external_id"])


async def _own_records(
    session: AsyncSession, owner: uuid.UUID, items: Sequence[RetractItem]
) -> dict[uuid.UUID | str, dict[str, Any]]:
    """The owner's unpurged records among the items, by id and by external id, locked
    (one statement per kind of key)."""
    table = cast(Table, Indicator.__table__)
    columns = (table.c.id, table.c.external_id, table.c.kind, table.c.status, table.c.expires_at)
    ids = list({item for item in items if isinstance(item, uuid.UUID)})
    externals = list({item.strip() for item in items if isinstance(item, str)})
    found: dict[uuid.UUID | str, dict[str, Any]] = {}
    for column, wanted in ((table.c.id, ids), (table.c.external_id, externals)):
        if not wanted:
            continue
        rows = await session.execute(
            select(*columns)
            .where(
                table.c.owner_member_id == owner,
                table.c.purged_at.is_(None),
                one_of(column, wanted),
            )
            .with_for_update()
        )
        for row in rows.mappings():
            found[row[column.name]] = dict(row)
    return found
