"""Reading indicators for a viewer: one statement per page, visibility decided in SQL.

Every query here runs on a viewer session (`sharing.session`), which adds the read
predicate to each ORM SELECT (which hides others' expired records). On top of it, this
module adds only narrowing domain rules: others' records are shown while ACTIVE, purged
records (tombstones) are shown to nobody, and the owner is named (and brands shown, and
the brand filter applied) only where the viewer's level is FULL and the owner has not
left the alliance; the owner's region is shown (and filtered on) only while it has not
left (alliance/members/departures.py). The owner sees its own expired records marked
EXPIRED even before the retention job sets the status.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Select, and_, case, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.brands.models import Brand
from alliance.db import utcnow
from alliance.indicators.models import Indicator, indicator_brands
from alliance.indicators.vocabulary import IndicatorStatus
from alliance.members.departures import has_left
from alliance.members.models import Member
from sharing import Scope, Viewer
from sharing.audience import Audience
from sharing.policy import ViewerFacts
from sharing.predicate import Reach, visible_to
from sharing.sql_lists import one_of
from sharing.storage import stored_audiences


@dataclasses.dataclass(frozen=True, slots=True)
class VisibleIndicator:
    """An indicator as one viewer may see it.

    `owner_id`, `owner_name`, `brands` are None unless the viewer's level is FULL (or it
    owns the record). A record of an offboarded member that kept its records (RETAIN) is
    attributed to "a former member" (`former`): no owner id, name, brands or region.
    `owner_region` is otherwise always there ("a member in <region>").
    `audience` is the stored effective audience, for the owner only. `status` is the
    status as of the read: EXPIRED once the expiry has passed.
    """

    indicator: Indicator
    status: IndicatorStatus
    owner_id: uuid.UUID | None
    owner_name: str | None
    owner_region: str | None
    brands: Sequence[Brand] | None
    audience: Audience | None
    former: bool = False


def _me(viewer: Viewer, entity: Any) -> ColumnElement[bool]:
    if viewer.member_id is None:
        return literal(False)
    return entity.owner_member_id == viewer.member_id  # type: ignore[no-any-return]


def shown(viewer: Viewer, entity: Any = Indicator) -> ColumnElement[bool]:
    """The domain rule on top of the read predicate: others' records while ACTIVE, and no
    purged record (not even to its owner). `entity`: Indicator or an alias of it."""
    return and_(
        entity.purged_at.is_(None),
        or_(_me(viewer, entity), entity.status == IndicatorStatus.ACTIVE),
    )


def effective_status(now: dt.datetime | None = None, entity: Any = Indicator) -> ColumnElement[str]:
    """The status as of `now` (default: the clock): ACTIVE records past their expiry
    are EXPIRED, whether or not the retention job has marked them yet."""
    moment = literal(now or utcnow(), DateTime(timezone=True))
    lapsed = and_(entity.status == IndicatorStatus.ACTIVE, entity.expires_at <= moment)
    return case((lapsed, IndicatorStatus.EXPIRED.value), else_=entity.status)


def owner_named(viewer: Viewer, entity: Any = Indicator) -> ColumnElement[bool]:
    """True where the owner is named: the viewer's level is FULL (from the same builder as
    the read predicate) and the owner has not left the alliance."""
    full = visible_to(entity, ViewerFacts.of(viewer), Reach.FULL)
    return and_(full, ~has_left(entity.owner_member_id))


def visible_owner_region() -> ColumnElement[str | None]:
    """The owner's home region ("a member in <region>"); NULL once the owner has left.
    The statement joins `Member` on the owner."""
    return case((has_left(Indicator.owner_member_id), None), else_=Member.region_code)


def owner_in_region(region: str, entity: Any = Indicator) -> ColumnElement[bool]:
    """Records whose visible owner region is `region` (`visible_owner_region() == region`,
    written so that the planner may use the region column). The statement joins `Member`
    on the owner."""
    return and_(Member.region_code == region, ~has_left(entity.owner_member_id))


def visible_select(viewer: Viewer) -> Select[Any]:
    """Indicators with the owner columns the viewer may see; filter and order it further."""
    named = owner_named(viewer)
    return (
        select(
            Indicator,
            named.label("named"),
            case((named, Member.legal_name), else_=None).label("owner_name"),
            visible_owner_region().label("region_code"),
            has_left(Indicator.owner_member_id).label("former"),
            effective_status().label("status"),
        )
        .join(Member, Member.id == Indicator.owner_member_id)
        .where(shown(viewer))
    )


async def materialize(
    session: AsyncSession, viewer: Viewer, rows: Sequence[Any]
) -> list[VisibleIndicator]:
    """Rows of `visible_select` as `VisibleIndicator`s: two more statements at most."""
    named_ids = [row.Indicator.id for row in rows if row.named]
    brands: dict[uuid.UUID, list[Brand]] = {rid: [] for rid in named_ids}
    if named_ids:
        found = await session.execute(
            select(indicator_brands.c.indicator_id, Brand)
            .join(Brand, Brand.id == indicator_brands.c.brand_id)
            .where(one_of(indicator_brands.c.indicator_id, named_ids))
            .order_by(Brand.name)
        )
        for indicator_id, brand in found:
            brands[indicator_id].append(brand)
    own = [row.Indicator.id for row in rows if row.Indicator.owner_member_id == viewer.member_id]
    audiences = await stored_audiences(session, Indicator, own)
    return [
        VisibleIndicator(
            indicator=row.Indicator,
            status=IndicatorStatus(row.status),
            owner_id=row.Indicator.owner_member_id if row.named else None,
            owner_name=row.owner_name if row.named else None,
            owner_region=row.region_code,
            brands=brands.get(row.Indicator.id) if row.named else None,
            audience=audiences.get(row.Indicator.id),
            former=bool(row.former),
        )
        for row in rows
    ]


async def by_ids(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VisibleIndicator]:
    """The indicators among `ids` that the viewer may list; the others are absent.

    Without the `indicators:read` right nothing is listable (like `node` for any id).
    """
    if not ids or not viewer.has_scope(Scope.INDICATORS_READ):
        return {}
    rows = (await session.execute(visible_select(viewer).where(one_of(Indicator.id, ids)))).all()
    found = await materialize(session, viewer, rows)
    return {item.indicator.id: item for item in found}


def brand_filter(
    viewer: Viewer, brand_id: uuid.UUID, entity: Any = Indicator
) -> ColumnElement[bool]:
    """Records of `brand_id`, among those whose owner the viewer may know: a brand names
    its member, so filtering ANONYMOUS records by brand would reveal their owner."""
    has_brand = (
        select(indicator_brands.c.indicator_id)
        .where(
            indicator_brands.c.indicator_id == entity.id,
            indicator_brands.c.brand_id == brand_id,
        )
        .exists()
    )
    return and_(has_brand, owner_named(viewer, entity))
