"""Trends tables: answers read from the newest frozen release of each month, nothing else.

A row is one published cell of the cube, or a sum of published cells (a filter listing
several values of a dimension that is not grouped, a total over the months): suppressed as
soon as any part is, so every answer is a sum of cells published anyway.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.errors import Forbidden, InvalidInput
from alliance.indicators.kinds import Platform
from alliance.regions.models import Region
from alliance.trends.models import TrendRelease, TrendReleaseCell
from alliance.trends.releases import shift_month
from alliance.trends.service import require_month
from alliance.trends.vocabulary import Dimension, Metric, ProductCategory, Source
from sharing import Scope, Viewer
from sharing.disclosure import ALL, Reason

MAX_MONTHS = 36
MAX_ROWS = 5000
# When parts of a row are suppressed for different reasons, the row gives the first.
_PRECEDENCE = [
    Reason.PERIOD_NOT_RELEASED,
    Reason.TOO_FEW_CONTRIBUTORS,
    Reason.DOMINANT_CONTRIBUTOR,
    Reason.COMPLEMENTARY,
]


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One row: a month (None for a total over the months), the group, a value or a reason."""

    period: str | None
    region: str | None
    platform: str | None
    category: str | None
    value: int | None
    reason: Reason | None


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


async def _newest_cells(
    session: AsyncSession, metric: Metric, months: list[str]
) -> dict[str, dict[tuple[str, str, str], tuple[int | None, str | None]]]:
    releases = await session.execute(
        select(TrendRelease.id, TrendRelease.period, TrendRelease.sequence).where(
            TrendRelease.source == Source.TREND_REPORTS, TrendRelease.period.in_(months)
        )
    )
    newest: dict[str, tuple[int, object]] = {}
    for release_id, period, sequence in releases:
        if period not in newest or sequence > newest[period][0]:
            newest[period] = (sequence, release_id)
    period_of = {release_id: period for period, (_, release_id) in newest.items()}
    cells: dict[str, dict[tuple[str, str, str], tuple[int | None, str | None]]] = {
        period: {} for period in newest
    }
    if period_of:
        rows = await session.execute(
            select(TrendReleaseCell).where(
                TrendReleaseCell.release_id.in_(list(period_of)),
                TrendReleaseCell.metric == metric.value,
            )
        )
        for (cell,) in rows:
            key = (cell.region, cell.platform, cell.category)
            cells[period_of[cell.release_id]][key] = (cell.value, cell.reason)
    return cells


def _combine(parts: list[tuple[int | None, Reason | None]]) -> tuple[int | None, Reason | None]:
    reasons = [reason for value, reason in parts if value is None and reason is not None]
    if reasons:
        return None, min(reasons, key=_PRECEDENCE.index)
    return sum(value or 0 for value, _ in parts), None


async def _axes(session: AsyncSession, query: TrendQuery, grouped: list[bool]) -> list[list[str]]:
    """Per dimension: the filter's values, else every value when grouped, else the margin."""
    every = [
        list(await session.scalars(select(Region.code).order_by(Region.code))),
        [platform.value for platform in Platform],
        [category.value for category in ProductCategory],
    ]
    chosen = [list(query.regions), list(query.platforms), list(query.categories)]
    for axis, field in zip(chosen, ("regions", "platforms", "categories"), strict=True):
        if len(set(axis)) != len(axis):
            raise InvalidInput("Each value at most once.", field=f"filter.{field}")
    return [chosen[i] or (every[i] if grouped[i] else [ALL]) for i in range(3)]


Cells = dict[tuple[str, str, str], tuple[int | None, str | None]]


def _row_value(
    cells: Cells | None, parts: list[tuple[str, str, str]]
) -> tuple[int | None, Reason | None]:
    if cells is None:
        return None, Reason.PERIOD_NOT_RELEASED
    found: list[tuple[int | None, Reason | None]] = []
    for part in parts:
        # A value nobody reported is not in the cube: it answers like any small cell.
        value, reason = cells.get(part, (None, Reason.TOO_FEW_CONTRIBUTORS.value))
        found.append((value, None if reason is None else Reason(reason)))
    return _combine(found)


async def trends_table(session: AsyncSession, *, viewer: Viewer, query: TrendQuery) -> TrendTable:
    """The table `query` asks for, from releases only; for active members that accepted
    the agreement (`Forbidden` for anyone else)."""
    require_scope(viewer, Scope.TRENDS_READ)
    if not viewer.can_read_shared:
        raise Forbidden("Trends are for active members that accepted the agreement.")
    if len(set(query.group_by)) != len(query.group_by):
        raise InvalidInput("Each dimension at most once.", field="groupBy")
    months = months_between(query.from_month, query.to_month)
    grouped = [dimension in query.group_by for dimension in Dimension]
    axes = await _axes(session, query, grouped)
    groups = list(itertools.product(*(axes[i] if grouped[i] else [ALL] for i in range(3))))
    if len(groups) * (len(months) + 1) > MAX_ROWS:
        raise InvalidInput(f"More than {MAX_ROWS} rows: filter or group less.", field="groupBy")
    cells = await _newest_cells(session, query.metric, months)
    rows: list[TrendRow] = []
    totals: list[TrendRow] = []
    for group in groups:
        choices = [[g] if grouped[i] else axes[i] for i, g in enumerate(group)]
        parts = list(itertools.product(choices[0], choices[1], choices[2]))
        region, platform, category = (g if grouped[i] else None for i, g in enumerate(group))
        per_month = []
        for month in months:
            value, reason = _row_value(cells.get(month), parts)
            per_month.append((value, reason))
            rows.append(TrendRow(month, region, platform, category, value, reason))
        totals.append(TrendRow(None, region, platform, category, *_combine(per_month)))
    rows.sort(key=lambda row: row.period or "")
    return TrendTable(query.metric, tuple(query.group_by), rows, totals)


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
                row.region or "",
                row.platform or "",
                row.category or "",
                "" if row.value is None else row.value,
                "" if row.reason is None else row.reason.value,
            )
        )
    return out.getvalue()
