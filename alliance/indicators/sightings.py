"""Sightings: a member corroborates an indicator it may list; others see "a member"
unless the sighting member discloses itself. A sighting is visible exactly where its
indicator is listable (every query joins the indicator, which the viewer session filters),
and never once its member has left with WITHDRAW; a member that left with RETAIN is "a
former member" (alliance/members/departures.py).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit import service as audit_service
from alliance.errors import NotFound
from alliance.indicators.models import Indicator, Sighting
from alliance.indicators.reads import owner_named, shown
from alliance.indicators.rules import require_note, require_writer
from alliance.indicators.vocabulary import SightingKind
from alliance.members.departures import FORMER_MEMBER, has_left, has_withdrawn
from alliance.members.models import Member
from sharing import Scope, Viewer
from sharing.sql_lists import one_of


def shown_sightings(viewer: Viewer) -> ColumnElement[bool]:
    """The sightings others may see and count: on an indicator the viewer may list, by a
    member that has not withdrawn what it wrote. The statement joins the indicator."""
    return and_(shown(viewer), ~has_withdrawn(Sighting.member_id))


@dataclasses.dataclass(frozen=True, slots=True)
class VisibleSighting:
    """A sighting as one viewer may see it: the member only if disclosed or its own."""

    sighting: Sighting
    member_id: uuid.UUID | None
    member_name: str | None


async def require_listable(
    session: AsyncSession, *, viewer: Viewer, indicator_id: uuid.UUID, field: str
) -> Indicator:
    """An indicator the viewer may list, or `NotFound` naming `field` (same for invisible)."""
    found = await session.scalar(
        select(Indicator).where(Indicator.id == indicator_id, shown(viewer))
    )
    if found is None:
        raise NotFound("indicator", field=field)
    return found


async def add(
    session: AsyncSession,
    *,
    viewer: Viewer,
    indicator_id: uuid.UUID,
    kind: SightingKind,
    note: str | None = None,
    disclosed: bool = False,
) -> Sighting:
    """Record the viewer's member's sighting of an indicator it may list."""
    member = require_writer(viewer)
    await require_listable(session, viewer=viewer, indicator_id=indicator_id, field="indicatorId")
    require_note(note)
    sighting = Sighting(
        id=uuid.uuid4(),
        indicator_id=indicator_id,
        member_id=member,
        kind=kind,
        note=note,
        disclosed=disclosed,
    )
    session.add(sighting)
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="sighting.add",
        target_type="Sighting",
        target_id=sighting.id,
        target_member_id=member,
        details={"kind": kind.value, "disclosed": disclosed},
    )
    return sighting


def _visible(viewer: Viewer, row: Any) -> VisibleSighting:
    sighting: Sighting = row.Sighting
    if row.member_left:  # it kept its sightings (RETAIN) but is never named again
        return VisibleSighting(sighting, None, FORMER_MEMBER if sighting.disclosed else None)
    # A disclosed sighting names its member, unless that member owns the indicator and the
    # viewer may not know the owner (ANONYMOUS): the sighting would reveal it.
    reveals_owner = sighting.member_id == row.owner_member_id and not row.owner_named
    named = sighting.member_id == viewer.member_id or (sighting.disclosed and not reveals_owner)
    name = row.legal_name if named else None
    return VisibleSighting(sighting, sighting.member_id if named else None, name)


async def _load(
    session: AsyncSession, viewer: Viewer, *conditions: object
) -> list[VisibleSighting]:
    rows = await session.execute(
        select(
            Sighting,
            Member.legal_name,
            Indicator.owner_member_id,
            owner_named(viewer).label("owner_named"),
            has_left(Sighting.member_id).label("member_left"),
        )
        .join(Indicator, Indicator.id == Sighting.indicator_id)
        .join(Member, Member.id == Sighting.member_id)
        .where(shown_sightings(viewer), *conditions)  # type: ignore[arg-type]
        .order_by(Sighting.at.desc(), Sighting.id)
    )
    return [_visible(viewer, row) for row in rows]


# Sightings shown per indicator: any member may add them, so a record's list could grow
# without bound; a request's cost (schema/cost.py) counts on this bound.
MAX_PER_INDICATOR = 20


def _newest(viewer: Viewer, indicator_ids: set[uuid.UUID]) -> Any:
    """The ids of the newest `MAX_PER_INDICATOR` sightings shown of each indicator."""
    rank = (
        func.row_number()
        .over(partition_by=Sighting.indicator_id, order_by=(Sighting.at.desc(), Sighting.id))
        .label("rank")
    )
    ranked = (
        select(Sighting.id, rank)
        .join(Indicator, Indicator.id == Sighting.indicator_id)
        .where(one_of(Sighting.indicator_id, indicator_ids), shown_sightings(viewer))
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.rank <= MAX_PER_INDICATOR)


async def of_indicators(
    session: AsyncSession, *, viewer: Viewer, indicator_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[VisibleSighting]]:
    """The newest `MAX_PER_INDICATOR` sightings of each listable indicator, newest first
    (one statement)."""
    found: dict[uuid.UUID, list[VisibleSighting]] = defaultdict(list)
    if indicator_ids:
        ids = set(indicator_ids)
        for item in await _load(session, viewer, Sighting.id.in_(_newest(viewer, ids))):
            found[item.sighting.indicator_id].append(item)
    return found


async def by_ids(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VisibleSighting]:
    """The sightings among `ids` whose indicator the viewer may list (with `indicators:read`)."""
    if not ids or not viewer.has_scope(Scope.INDICATORS_READ):
        return {}
    return {s.sighting.id: s for s in await _load(session, viewer, one_of(Sighting.id, ids))}
