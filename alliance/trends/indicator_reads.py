"""Indicator trends tables, read from the newest frozen release of each week only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.regions.models import Region
from alliance.trends.cube_reads import TrendRow, axes, read_cube, require_distinct
from alliance.trends.indicator_trends import METRIC, require_week, shift_week
from alliance.trends.reads import require_reader
from alliance.trends.vocabulary import IndicatorDimension, Source
from sharing import Viewer

MAX_WEEKS = 104


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorTrendQuery:
    group_by: Sequence[IndicatorDimension]
    from_week: str
    to_week: str
    owner_regions: Sequence[str] = ()
    platforms: Sequence[str] = ()
    kinds: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class IndicatorTrendTable:
    group_by: tuple[IndicatorDimension, ...]
    rows: list[TrendRow]  # first: owner region, second: platform, third: kind
    totals: list[TrendRow]


def weeks_between(from_week: str, to_week: str) -> list[str]:
    """The ISO weeks from `from_week` to `to_week`; `InvalidInput` names `weeks`."""
    require_week(from_week, field="weeks.from")
    require_week(to_week, field="weeks.to")
    weeks: list[str] = []
    week = from_week
    while week <= to_week and len(weeks) <= MAX_WEEKS:
        weeks.append(week)
        week = shift_week(week, 1)
    if not weeks or len(weeks) > MAX_WEEKS:
        raise InvalidInput(f"From 1 to {MAX_WEEKS} weeks, from <= to.", field="weeks")
    return weeks


async def indicator_trends_table(
    session: AsyncSession, *, viewer: Viewer, query: IndicatorTrendQuery
) -> IndicatorTrendTable:
    """New indicators of opted-in members per week and group, from releases only; for
    active members that accepted the agreement (`Forbidden` for anyone else)."""
    require_reader(viewer)
    require_distinct(query.group_by, "groupBy")
    weeks = weeks_between(query.from_week, query.to_week)
    order = (IndicatorDimension.OWNER_REGION, IndicatorDimension.PLATFORM, IndicatorDimension.KIND)
    grouped = [dimension in query.group_by for dimension in order]
    chosen = [list(query.owner_regions), list(query.platforms), list(query.kinds)]
    for axis, field in zip(chosen, ("ownerRegions", "platforms", "kinds"), strict=True):
        require_distinct(axis, f"filter.{field}")
    every = [
        list(await session.scalars(select(Region.code).order_by(Region.code))),
        [platform.value for platform in Platform],
        [kind.value for kind in IndicatorKind],
    ]
    rows, totals = await read_cube(
        session,
        source=Source.INDICATORS,
        metric=METRIC,
        periods=weeks,
        axes=axes(every, chosen, grouped),
        grouped=grouped,
    )
    return IndicatorTrendTable(tuple(query.group_by), rows, totals)
