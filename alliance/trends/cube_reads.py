"""Reading the newest frozen release of each period: the one way answers are made.

A row is one published cell of the cube, or a sum of published cells (a filter listing
several values of a dimension that is not grouped, a total over the periods): suppressed as
soon as any part is, so every answer is a sum of cells published anyway.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.trends.models import TrendRelease, TrendReleaseCell
from alliance.trends.vocabulary import Source
from sharing.disclosure import ALL, Reason

MAX_ROWS = 5000
# When parts of a row are suppressed for different reasons, the row gives the first.
_PRECEDENCE = [
    Reason.PERIOD_NOT_RELEASED,
    Reason.TOO_FEW_CONTRIBUTORS,
    Reason.DOMINANT_CONTRIBUTOR,
    Reason.COMPLEMENTARY,
]
Cells = dict[tuple[str, str, str], tuple[int | None, str | None]]


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One row: a period (None for a total over the periods), the group's coordinates
    (None where not grouped), a value or a reason."""

    period: str | None
    first: str | None
    second: str | None
    third: str | None
    value: int | None
    reason: Reason | None


async def _newest_cells(
    session: AsyncSession, source: Source, metric: str, periods: list[str]
) -> dict[str, Cells]:
    releases = await session.execute(
        select(TrendRelease.id, TrendRelease.period, TrendRelease.sequence).where(
            TrendRelease.source == source, TrendRelease.period.in_(periods)
        )
    )
    newest: dict[str, tuple[int, object]] = {}
    for release_id, period, sequence in releases:
        if period not in newest or sequence > newest[period][0]:
            newest[period] = (sequence, release_id)
    period_of = {release_id: period for period, (_, release_id) in newest.items()}
    cells: dict[str, Cells] = {period: {} for period in newest}
    if period_of:
        rows = await session.execute(
            select(TrendReleaseCell).where(
                TrendReleaseCell.release_id.in_(list(period_of)),
                TrendReleaseCell.metric == metric,
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


def axes(every: list[list[str]], chosen: list[list[str]], grouped: list[bool]) -> list[list[str]]:
    """Per dimension: the filter's values, else every value when grouped, else the margin."""
    return [chosen[i] or (every[i] if grouped[i] else [ALL]) for i in range(3)]


def require_distinct(values: Sequence[object], field: str) -> None:
    if len(set(values)) != len(values):
        raise InvalidInput("Each value at most once.", field=field)


async def read_cube(
    session: AsyncSession,
    *,
    source: Source,
    metric: str,
    periods: list[str],
    axes: list[list[str]],
    grouped: list[bool],
) -> tuple[list[TrendRow], list[TrendRow]]:
    """Rows (per period and group) and totals (per group) from the newest release of each
    period, each the sum of the cells it spans, suppressed as soon as one is."""
    groups = list(itertools.product(*(axes[i] if grouped[i] else [ALL] for i in range(3))))
    if len(groups) * (len(periods) + 1) > MAX_ROWS:
        raise InvalidInput(f"More than {MAX_ROWS} rows: filter or group less.", field="groupBy")
    cells = await _newest_cells(session, source, metric, periods)
    rows: list[TrendRow] = []
    totals: list[TrendRow] = []
    for group in groups:
        choices = [[g] if grouped[i] else axes[i] for i, g in enumerate(group)]
        parts = list(itertools.product(choices[0], choices[1], choices[2]))
        first, second, third = (g if grouped[i] else None for i, g in enumerate(group))
        per_period = []
        for period in periods:
            value, reason = _row_value(cells.get(period), parts)
            per_period.append((value, reason))
            rows.append(TrendRow(period, first, second, third, value, reason))
        totals.append(TrendRow(None, first, second, third, *_combine(per_period)))
    rows.sort(key=lambda row: row.period or "")
    return rows, totals
