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

from sqlalchemy import Table, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit import service as audit_service
from alliance.brands.models import Brand
from alliance.db import utcnow
from alliance.errors import InvalidInput, NotFound
from alliance.indicators.audience import require_known_targets
from alliance.indicators.drafts import IndicatorDraft, draft_fields
from alliance.indicators.images import buckets
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import ImageSegment, Indicator, Link, Sighting, indicator_brands
from alliance.indicators.reads import shown
from alliance.indicators.service import require_writer
from alliance.indicators.vocabulary import IndicatorStatus, LinkType, SightingKind
from alliance.policies.store import alliance_regions, policy_for_records
from alliance.retention import settings as retention_settings
from sharing import Viewer
from sharing.audience import Audience, format_audience
from sharing.errors import SharingError
from sharing.policy import RecordType, ViewerFacts, effective_audience
from sharing.predicate import visible_to
from sharing.storage import write_audiences

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


async def _existing(
    session: AsyncSession, owner: uuid.UUID, ids: list[str]
) -> dict[str, uuid.UUID]:
    found: dict[str, uuid.UUID] = {}
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(Indicator.external_id, Indicator.id).where(
                Indicator.owner_member_id == owner, Indicator.external_id.in_(chunk)
            )
        )
        found.update({external: id_ for external, id_ in rows if external is not None})
    return found


async def _own_brand_ids(session: AsyncSession, owner: uuid.UUID) -> set[uuid.UUID]:
    return set(await session.scalars(select(Brand.id).where(Brand.member_id == owner)))


async def create_indicators(
    session: AsyncSession, *, viewer: Viewer, drafts: Sequence[IndicatorDraft]
) -> tuple[dict[str, uuid.UUID], list[str]]:
    """Create the drafts whose external id the viewer's member does not hold yet.

    Every draft needs an external id (the idempotency key): drafts already stored are
    left as they are, so a rerun adds nothing. Returns the id of every draft by external
    id (new or existing) and the external ids of those created. A draft that is invalid or that the
    owner's policy refuses is an `InvalidInput` naming the draft's external id; the
    caller's transaction then writes nothing.
    """
    owner = require_writer(viewer)
    if any(draft.external_id is None for draft in drafts):
        raise InvalidInput(
            "Every indicator of a bulk write needs an external id.", field="externalId"
        )
    external_ids = [cast(str, d.external_id) for d in drafts]
    if len(set(external_ids)) != len(external_ids):
        raise InvalidInput("External ids repeat within this write.", field="externalId")
    ids = await _existing(session, owner, external_ids)
    new = [draft for draft in drafts if draft.external_id not in ids]
    if not new:
        return ids, []
    policy, version = await policy_for_records(session, owner)
    regions = await alliance_regions(session)
    brands = await _own_brand_ids(session, owner)
    retention = await retention_settings.current(session)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    brand_rows: list[dict[str, Any]] = []
    audiences: dict[uuid.UUID, Audience] = {}
    for draft in new:
        try:
            _normalized, fields = draft_fields(draft, now)
            fields["expires_at"] = retention.expiry_for(draft.kind, draft.expires_at, now)
            require_known_targets(regions, draft.audience, fields["personal_data_region"])
            audience = effective_audience(
                draft.audience,
                owner_id=owner,
                tlp=draft.tlp,
                policy=policy,
                record_type=RecordType.INDICATOR,
                kind=draft.kind.value,
                regions=regions,
                personal_data_region=fields["personal_data_region"],
            )
        except (InvalidInput, SharingError) as invalid:
            message = f"{draft.external_id}: {invalid.message}"
            raise InvalidInput(message, field=invalid.field) from None
        if not set(draft.brand_ids) <= brands:
            raise InvalidInput("Brands must be brands of your own member.", field="brandIds")
        record_id = uuid.uuid4()
        requested = None if draft.audience is None else format_audience(draft.audience)
        rows.append(
            {
                **fields,
                "id": record_id,
                "owner_member_id": owner,
                "requested_audience": requested,
                "policy_version": version,
                "created_at": now,
                "updated_at": now,
            }
        )
        brand_rows += [{"indicator_id": record_id, "brand_id": b} for b in set(draft.brand_ids)]
        audiences[record_id] = audience
        ids[cast(str, draft.external_id)] = record_id
    table = cast(Table, Indicator.__table__)
    for chunk in _chunks(rows):
        await session.execute(insert(table), list(chunk))
    for chunk in _chunks(brand_rows):
        await session.execute(insert(indicator_brands), list(chunk))
    segment_rows = [
        {"indicator_id": row["id"], "bucket": key}
        for row in rows
        if row["kind"] is IndicatorKind.IMAGE_PDQ
        for key in buckets(row["match_key"])
    ]
    for chunk in _chunks(segment_rows):
        await session.execute(insert(ImageSegment), list(chunk))
    await write_audiences(session, Indicator, audiences)
    created = [(row["id"], row["kind"].value) for row in rows]
    await _audit(session, viewer, "indicator.create", "Indicator", created)
    return ids, [cast(str, row["external_id"]) for row in rows]


async def retract_indicators(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> int:
    """ACTIVE -> RETRACTED for the viewer's member's own indicators among `ids`: they
    leave every other member's view. Others' ids and inactive ones are left as they are.
    Returns how many were retracted."""
    owner = require_writer(viewer)
    table = cast(Table, Indicator.__table__)
    now = utcnow()
    done: list[tuple[uuid.UUID, str]] = []
    for chunk in _chunks(list(set(ids))):
        rows = await session.execute(
            update(table)
            .where(
                table.c.id.in_(chunk),
                table.c.owner_member_id == owner,
                table.c.status == IndicatorStatus.ACTIVE,
            )
            .values(status=IndicatorStatus.RETRACTED, retracted_at=now, updated_at=now)
            .returning(table.c.id, table.c.kind)
        )
        done += [(id_, str(kind)) for id_, kind in rows]
    await _audit(session, viewer, "indicator.retract", "Indicator", done)
    return len(done)


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
    if any(draft.source_id == draft.target_id for draft in drafts):
        raise InvalidInput("An indicator cannot be linked to itself.", field="targetId")
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
    await _audit(session, viewer, "link.create", "Link", made_now)
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
    if any(d.note is not None and len(d.note) > 2000 for d in drafts):
        raise InvalidInput("A note has at most 2000 characters.", field="note")
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
    await _audit(
        session, viewer, "sighting.add", "Sighting", [(r["id"], r["kind"].value) for r in rows]
    )
    return len(rows)


async def _audit(
    session: AsyncSession,
    viewer: Viewer,
    action: str,
    target_type: str,
    targets: Sequence[tuple[uuid.UUID, str]],
) -> None:
    await audit_service.record_many(
        session,
        viewer=viewer,
        action=action,
        target_type=target_type,
        targets=[(target, {"kind": kind, "bulk": True}) for target, kind in targets],
    )
