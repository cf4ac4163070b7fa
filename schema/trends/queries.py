from __future__ import annotations

from typing import Annotated

import strawberry

from alliance.trends import reads as trend_reads
from alliance.trends import service as trend_service
from alliance.trends import settings as disclosure_settings
from alliance.trends.vocabulary import Dimension, Metric
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.trends.inputs import PeriodRangeInput, TrendFilterInput, trend_query
from schema.trends.types import DisclosureSettingsType, TrendReportType, TrendTableType
from sharing import Scope


async def resolve_trend_reports(
    info: Info,
    periods: Annotated[PeriodRangeInput, strawberry.argument(description="The months to read.")],
) -> list[TrendReportType]:
    async with info.context.session() as session:
        found = await trend_service.own_reports(
            session, viewer=info.context.viewer, from_month=periods.from_, to_month=periods.to
        )
    return [TrendReportType.from_domain(report) for report in found]


trend_reports = query_field(
    resolve_trend_reports,
    capability=requires(Scope.TRENDS_READ),
    description="Your member's own trend reports (nobody else's, ever).",
)


async def _table(
    info: Info,
    metric: Metric,
    group_by: list[Dimension],
    periods: PeriodRangeInput,
    filter: TrendFilterInput | None,
) -> trend_reads.TrendTable:
    query = trend_query(metric, group_by, periods, filter)
    async with info.context.session() as session:
        return await trend_reads.trends_table(session, viewer=info.context.viewer, query=query)


async def resolve_trends(
    info: Info,
    metric: Metric,
    periods: PeriodRangeInput,
    group_by: Annotated[
        list[Dimension] | None,
        strawberry.argument(description="Dimensions of the groups; none: the total."),
    ] = None,
    filter: TrendFilterInput | None = None,
) -> TrendTableType:
    return TrendTableType.from_domain(await _table(info, metric, group_by or [], periods, filter))


trends = query_field(
    resolve_trends,
    capability=requires(Scope.TRENDS_READ),
    description=(
        "Aggregates of members' trend reports under disclosure control, read from the newest "
        "frozen release of each month; suppressed cells carry their reason."
    ),
)


async def resolve_trends_csv(
    info: Info,
    metric: Metric,
    periods: PeriodRangeInput,
    group_by: Annotated[
        list[Dimension] | None,
        strawberry.argument(description="Dimensions of the groups; none: the total."),
    ] = None,
    filter: TrendFilterInput | None = None,
) -> str:
    return trend_reads.to_csv(await _table(info, metric, group_by or [], periods, filter))


trends_csv = query_field(
    resolve_trends_csv,
    capability=requires(Scope.TRENDS_READ),
    description="The same table as `trends`, as CSV (suppressed cells: empty value, reason).",
)


async def resolve_disclosure_settings(info: Info) -> DisclosureSettingsType:
    async with info.context.session() as session:
        found = await disclosure_settings.read(session, viewer=info.context.viewer)
    return DisclosureSettingsType.from_domain(found)


disclosure_settings_query = query_field(
    resolve_disclosure_settings,
    capability=requires(Scope.ALLIANCE_ADMIN),
    description="The rules of trend releases built from now on (alliance admins).",
)
