"""Bulk writes of one member: many indicators, links and sightings in a few statements.

The same rules as the one-by-one services (`service.create`, `links.create`,
`sightings.add`) — own brands only, the owner's policy applied, only listable indicators
linked or sighted, one audit event per record — with multi-row statements instead of
per-row flushes (DESIGN §9). Listability is decided by the sharing predicate builder, so
these work in a plain session as well as in a viewer session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import (
    Table,
    insert,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.copy_rows import copy_new_rows, copy_rows
from alliance.db import utcnow
from alliance.errors import InvalidInput, NotFound
from alliance.indicators.bulk_audit import audit_bulk
from alliance.indicators.bulk_rows import (
    INDICATOR_COLUMNS,
    BatchRows,
    BatchRules,
    InvalidDraft,
    batch_rows,
)
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.models import ImageSegment, Indicator, Link, Sighting, indicator_brands
from alliance.indicators.reads import shown
from alliance.indicators.retraction import retract_many
from alliance.indicators.rules import (
    require_external_id,
    require_not_self_link,
    require_note,
    require_writer,
)
from alliance.indicators.vocabulary import LinkType, RetractStatus, SightingKind
from sharing import Viewer
from sharing.policy import ViewerFacts
from sharing.predicate import visible_to
from sharing.sql_lists import one_of
from sharing.storage import EXCLUDE_COLUMNS, GRANT_COLUMNS, audience_rows, tables_of

__all__ = [
    "InvalidDraft",
    "LinkDraft",
    "SightingDraft",
    "add_links",
    "add_sightings",
    "audit_bulk",
    "create_indicators",
    "insert_new_rows",
    "require_listable_ids",
    "retract_indicators",
    "store_rows",
]

# Rows per multi-row statement: well under SQLite's bound-parameter limit.
CHUNK = 500


@dataclasses.dataclass(frozen=True, slots=True)
class LinkDraft:
    """A link the viewer's member makes between two indicators it may list."""

    source_id: uuid.UUID
    target_id: uuid.UUID
    link_type: LinkType
    note: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SightingDraft:
    """A sighting by the viewer's member of an indicator it may list."""

    indicator_id: uuid.UUID
    kind: SightingKind
    note: str | None = None
    disclosed: bool = False
    at: dt.datetime | None = None


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _stored_external_ids(drafts: Sequence[IndicatorDraft]) -> list[str]:
    """Every draft's external id as stored; `InvalidDraft` for a missing, malformed or
    repeated one."""
    stored: list[str] = []
    first_at: dict[str, int] = {}
    for index, draft in enumerate(drafts):
        given = draft.external_id
        try:
            if given is None:
                raise InvalidInput(
                    "Every indicator of a bulk write needs an external id.", field="externalId"
                )
            external_id = require_external_id(given)
        except InvalidInput as invalid:
            raise InvalidDraft(
                invalid.message, index=index, external_id=given, field=invalid.field
            ) from None
        if external_id in first_at:
            raise InvalidDraft(
                f"External ids repeat within this write (first at {first_at[external_id]}).",
                index=index,
                external_id=external_id,
                field="externalId",
            )
        first_at[external_id] = index
        stored.append(external_id)
    return stored


async def _existing(
    session: AsyncSession, owner: uuid.UUID, external_ids: Sequence[str]
) -> dict[str, uuid.UUID]:
    """The owner's indicators among `external_ids`, in one statement. Core, not ORM: the
    owner's every record counts, whatever a viewer session would show."""
    if not external_ids:
        return {}
    table = cast(Table, Indicator.__table__)
    matches = one_of(table.c.external_id, external_ids)
    rows = await session.execute(
        select(table.c.external_id, table.c.id).where(table.c.owner_member_id == owner, matches)
    )
    return {external: id_ for external, id_ in rows}


async def create_indicators(
    session: AsyncSession, *, viewer: Viewer, drafts: Sequence[IndicatorDraft]
) -> tuple[dict[str, uuid.UUID], list[str]]:
    """Create the drafts whose external id the viewer's member does not hold yet.

    Every draft needs an external id (the idempotency key; surrounding spaces are not
    part of it): drafts already stored are left as they are, so a rerun adds nothing.
    Returns the id of every draft by external id (new or existing) and the external ids
    of those created. A draft that is invalid or that the owner's policy refuses is an
    `InvalidDraft` naming its position, external id and field, raised before anything
    is written; the caller's transaction then writes nothing.
    """
    owner = require_writer(viewer)
    external_ids = _stored_external_ids(drafts)
    ids = await _existing(session, owner, external_ids)
    new = [(index, draft) for index, draft in enumerate(drafts) if external_ids[index] not in ids]
    if not new:
        return ids, []
    rules = await BatchRules.load(session, owner)
    rows = batch_rows(rules, new, external_ids)
    inserted = await insert_new_rows(session, rows)
    if len(inserted) < len(rows.indicators):
        # A concurrent write of the owner stored some of these external ids first: theirs
        # are kept, as if this write had found them.
        kept = inserted
        pairs = zip(rows.external_ids, rows.ids(), strict=True)
        taken = [external for external, record in pairs if record not in kept]
        rows = rows.only(kept)
        ids.update(await _existing(session, owner, taken))
    await store_rows(session, rows)
    await audit_bulk(
        session, viewer, "indicator.create", "Indicator", zip(rows.ids(), rows.kinds, strict=True)
    )
    ids.update(zip(rows.external_ids, rows.ids(), strict=True))
    return ids, rows.external_ids


async def insert_new_rows(session: AsyncSession, rows: BatchRows) -> set[uuid.UUID]:
    """Insert the indicators of `rows` whose (owner, external id) no row holds yet (one
    COPY and one INSERT on PostgreSQL); returns the ids inserted."""
    inserted = await copy_new_rows(
        session,
        cast(Table, Indicator.__table__),
        INDICATOR_COLUMNS,
        rows.indicators,
        conflict=("owner_member_id", "external_id"),
        returning="id",
    )
    return set(inserted)


async def store_rows(session: AsyncSession, rows: BatchRows) -> None:
    """The rows that hang on newly inserted indicators: brands, image segments, audiences."""
    await copy_rows(session, indicator_brands, ("indicator_id", "brand_id"), rows.brands)
    segments = cast(Table, ImageSegment.__table__)
    await copy_rows(session, segments, ("indicator_id", "bucket", "hash"), rows.segments)
    tables = tables_of(Indicator)
    grants, excludes = audience_rows(rows.audiences)
    await copy_rows(session, tables.grants, GRANT_COLUMNS, grants)
    await copy_rows(session, tables.excludes, EXCLUDE_COLUMNS, excludes)


async def retract_indicators(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> int:
    """ACTIVE -> RETRACTED for the viewer's member's own live indicators among `ids`
    (the rule of the single path: an expired one is not retracted); they leave every
    other member's view. Others' ids and inactive ones are left as they are. Returns how
    many were retracted."""
    results = await retract_many(
        session, viewer=viewer, items=list(set(ids)), require=require_writer
    )
    return sum(result.status is RetractStatus.RETRACTED for result in results)


async def require_listable_ids(
    session: AsyncSession, *, viewer: Viewer, ids: Iterable[uuid.UUID], field: str
) -> None:
    """`NotFound` naming `field` unless the viewer may list every indicator of `ids`
    (an invisible one and a missing one get the same answer)."""
    wanted = list(set(ids))
    facts = ViewerFacts.of(viewer)
    listable: set[uuid.UUID] = set()
    for chunk in _chunks(wanted):
        listable |= set(
            await session.scalars(
                select(Indicator.id).where(
                    Indicator.id.in_(chunk), shown(viewer), visible_to(Indicator, facts)
                )
            )
        )
    if listable != set(wanted):
        raise NotFound("indicator", field=field)


async def add_links(session: AsyncSession, *, viewer: Viewer, drafts: Sequence[LinkDraft]) -> int:
    """Make the links of `drafts` that the viewer's member has not made yet; returns how
    many were made. Both ends must be listable (`NotFound` otherwise), never the same."""
    member = require_writer(viewer)
    for draft in drafts:
        require_not_self_link(draft.source_id, draft.target_id)
        require_note(draft.note)
    ends = [end for draft in drafts for end in (draft.source_id, draft.target_id)]
    await require_listable_ids(session, viewer=viewer, ids=ends, field="targetId")
    keys = {(d.source_id, d.target_id, d.link_type.value) for d in drafts}
    made: set[tuple[uuid.UUID, uuid.UUID, str]] = set()
    columns = tuple_(Link.source_id, Link.target_id, Link.link_type)
    for chunk in _chunks(sorted(keys, key=str)):
        rows = await session.execute(
            select(Link.source_id, Link.target_id, Link.link_type).where(
                Link.member_id == member, columns.in_(chunk)
            )
        )
        made |= {(s, t, kind.value) for s, t, kind in rows}
    now = utcnow()
    rows_out: list[dict[str, Any]] = []
    for draft in drafts:
        key = (draft.source_id, draft.target_id, draft.link_type.value)
        if key in made:
            continue
        made.add(key)
        rows_out.append(
            {
                "id": uuid.uuid4(),
                "source_id": draft.source_id,
                "target_id": draft.target_id,
                "link_type": draft.link_type,
                "member_id": member,
                "note": draft.note,
                "created_at": now,
                "updated_at": now,
            }
        )
    for chunk in _chunks(rows_out):
        await session.execute(insert(cast(Table, Link.__table__)), list(chunk))
    made_now = [(row["id"], row["link_type"].value) for row in rows_out]
    await audit_bulk(session, viewer, "link.create", "Link", made_now)
    return len(rows_out)


async def add_sightings(
    session: AsyncSession, *, viewer: Viewer, drafts: Sequence[SightingDraft]
) -> int:
    """Record the viewer's member's sightings; every indicator must be listable
    (`NotFound` on `indicatorId` otherwise). Returns how many were recorded."""
    member = require_writer(viewer)
    await require_listable_ids(
        session, viewer=viewer, ids=(d.indicator_id for d in drafts), field="indicatorId"
    )
    for draft in drafts:
        require_note(draft.note)
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "indicator_id": d.indicator_id,
            "member_id": member,
            "kind": d.kind,
            "at": d.at or now,
            "note": d.note,
            "disclosed": d.disclosed,
        }
        for d in drafts
    ]
    for chunk in _chunks(rows):
        await session.execute(insert(cast(Table, Sighting.__table__)), list(chunk))
    await audit_bulk(
        session, viewer, "sighting.add", "Sighting", [(r["id"], r["kind"].value) for r in rows]
    )
    return len(rows)
