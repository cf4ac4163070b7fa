"""Trends tables of members' reports, read from the newest frozen release of each month
(alliance/trends/cube_reads.py), nothing else; and their CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.errors import Forbidden, InvalidInput
from alliance.indicators.kinds import Platform
from alliance.regions.models import Region
from alliance.trends.cube_reads import TrendRow, axes, read_cube, require_distinct
from alliance.trends.releases import shift_month
from alliance.trends.service import require_month
from alliance.trends.vocabulary import Dimension, Metric, ProductCategory, Source
from sharing import Scope, Viewer

MAX_MONTHS = 36


@dataclass(frozen=True, slots=True)
class TrendTable:
    metric: Metric
    group_by: tuple[Dimension, ...]
    rows: list[TrendRow]
    totals: list[TrendRow]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendQuery:
    metric: Metric
    group_by: Sequence[Dimension]
    from_month: str
    to_month: str
    regions: Sequence[str] = ()
    platforms: Sequence[str] = ()
    categories: Sequence[str] = ()


def months_between(from_month: str, to_month: str) -> list[str]:
    """The months from `from_month` to `to_month`; `InvalidInput` names `periods`."""
    require_month(from_month, field="periods.from")
    require_month(to_month, field="periods.to")
    months: list[str] = []
    month = from_month
    while month <= to_month and len(months) <= MAX_MONTHS:
        months.append(month)
        month = shift_month(month, 1)
    if not months or len(months) > MAX_MONTHS:
        raise InvalidInput(f"From 1 to {MAX_MONTHS} months, from <= to.", field="periods")
    return months


async def trends_table(session: AsyncSession, *, viewer: Viewer, query: TrendQuery) -> TrendTable:
    """The table `query` asks for, from releases only; for active members that accepted
    the agreement (`Forbidden` for anyone else)."""
    require_reader(viewer)
    require_distinct(query.group_by, "groupBy")
    months = months_between(query.from_month, query.to_month)
    grouped = [dimension in query.group_by for dimension in Dimension]
    chosen = [list(query.regions), list(query.platforms), list(query.categories)]
    for axis, field in zip(chosen, ("regions", "platforms", "categories"), strict=True):
        require_distinct(axis, f"filter.{field}")
    every = [
        list(await session.scalars(select(Region.code).order_by(Region.code))),
        [platform.value for platform in Platform],
        [category.value for category in ProductCategory],
    ]
    rows, totals = await read_cube(
        session,
        source=Source.TREND_REPORTS,
        metric=query.metric.value,
        periods=months,
        axes=axes(every, chosen, grouped),
        grouped=grouped,
    )
    return TrendTable(query.metric, tuple(query.group_by), rows, totals)


def require_reader(viewer: Viewer) -> None:
    """`Forbidden` unless `viewer` may read aggregates: `trends:read`, and an active
    member that accepted the agreement (DESIGN §3, invariant 5)."""
    require_scope(viewer, Scope.TRENDS_READ)
    if not viewer.can_read_shared:
        raise Forbidden("Trends are for active members that accepted the agreement.")


CSV_HEADER = ("period", "region", "platform", "category", "value", "suppressed_reason")


def to_csv(table: TrendTable) -> str:
    """The table as CSV: one line per row, then the totals (period `TOTAL`); a suppressed
    cell has an empty value and its reason."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in [*table.rows, *table.totals]:
        writer.writerow(
            (
                row.period or "TOTAL",
                row.first or "",
                row.second or "",
                row.third or "",
                "" if row.value is None else row.value,
                "" if row.reason is None else row.reason.value,
            )
        )
    return out.getvalue()
