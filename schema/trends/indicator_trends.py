"""`indicatorTrends`: new indicators of opted-in members per week, under disclosure control."""

from __future__ import annotations

from typing import Annotated

import strawberry

from alliance.trends import indicator_reads
from alliance.trends.cube_reads import TrendRow
from alliance.trends.vocabulary import IndicatorDimension
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.enums import IndicatorKind, Platform
from schema.trends.types import Suppression
from sharing import Scope

strawberry.enum(IndicatorDimension, description="What an indicator trends table groups by.")


@strawberry.input(description="A range of ISO weeks, both ends included (at most 104).")
class WeekRangeInput:
    from_: str = strawberry.field(name="from", description="YYYY-Www (ISO 8601).")
    to: str = strawberry.field(description="YYYY-Www (ISO 8601).")


@strawberry.input(description="Which cells of the releases to read; no filter selects a member.")
class IndicatorTrendFilterInput:
    owner_regions: list[str] = strawberry.field(
        default_factory=list, description="Home regions of the owners."
    )
    platforms: list[Platform] = strawberry.field(default_factory=list, description="Platforms.")
    kinds: list[IndicatorKind] = strawberry.field(default_factory=list, description="Kinds.")


@strawberry.type(description="New indicators in one week (null for a total) and group.")
class IndicatorTrendRow:
    week: str | None = strawberry.field(description="YYYY-Www; null on a total over the weeks.")
    owner_region: str | None = strawberry.field(description="The owners' home region, if grouped.")
    platform: Platform | None = strawberry.field(description="The platform, if grouped.")
    kind: IndicatorKind | None = strawberry.field(description="The kind, if grouped.")
    value: int | None = strawberry.field(description="The published count; null if suppressed.")
    suppressed: Suppression | None = strawberry.field(description="Why no value, if none.")

    @classmethod
    def from_domain(cls, row: TrendRow) -> IndicatorTrendRow:
        return cls(
            week=row.period,
            owner_region=row.first,
            platform=None if row.second is None else Platform(row.second),
            kind=None if row.third is None else IndicatorKind(row.third),
            value=row.value,
            suppressed=None if row.reason is None else Suppression(reason=row.reason),
        )


@strawberry.type(description="New indicators of members that count in aggregates, per week.")
class IndicatorTrendTable:
    group_by: list[IndicatorDimension] = strawberry.field(description="The group dimensions.")
    rows: list[IndicatorTrendRow] = strawberry.field(description="One row per week and group.")
    totals: list[IndicatorTrendRow] = strawberry.field(
        description="Per group, the sum over the weeks: suppressed when any week is."
    )


async def resolve_indicator_trends(
    info: Info,
    weeks: WeekRangeInput,
    group_by: Annotated[
        list[IndicatorDimension] | None,
        strawberry.argument(description="Dimensions of the groups; none: the total."),
    ] = None,
    filter: IndicatorTrendFilterInput | None = None,
) -> IndicatorTrendTable:
    chosen = filter or IndicatorTrendFilterInput()
    query = indicator_reads.IndicatorTrendQuery(
        group_by=group_by or [],
        from_week=weeks.from_,
        to_week=weeks.to,
        owner_regions=chosen.owner_regions,
        platforms=[platform.value for platform in chosen.platforms],
        kinds=[kind.value for kind in chosen.kinds],
    )
    async with info.context.session() as session:
        table = await indicator_reads.indicator_trends_table(
            session, viewer=info.context.viewer, query=query
        )
    return IndicatorTrendTable(
        group_by=list(table.group_by),
        rows=[IndicatorTrendRow.from_domain(row) for row in table.rows],
        totals=[IndicatorTrendRow.from_domain(row) for row in table.totals],
    )


indicator_trends = query_field(
    resolve_indicator_trends,
    capability=requires(Scope.TRENDS_READ),
    description=(
        "New indicators per ISO week from members whose policy counts their records in "
        "aggregates, by owner region, platform and kind, read from frozen weekly releases "
        "under disclosure control; suppressed cells carry their reason."
    ),
)
