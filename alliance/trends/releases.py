"""Releases: the only source of aggregate answers (DESIGN §5).

A release freezes the full cube of one month — every metric, every margin — as
sharing/disclosure.py decides it, once the month's lag has passed. Answers read only the
newest release of each month, never raw figures, so no sequence of queries can combine
anything but published cells. A correction (or a member's withdrawal) after a month was
released makes the month's next release, audited together with every earlier release of
that month. Two publishers at once: the unique (source, period, sequence) lets one win.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.db import Database, utcnow
from alliance.members.departures import has_withdrawn
from alliance.trends import indicator_trends, release_store
from alliance.trends import settings as disclosure_settings
from alliance.trends.models import TrendRelease, TrendReport
from alliance.trends.release_store import Inputs
from alliance.trends.service import month_of
from alliance.trends.settings import DisclosureSettings
from alliance.trends.vocabulary import Metric, Source

logger = logging.getLogger(__name__)


def shift_month(month: str, months: int) -> str:
    """`month` (YYYY-MM) moved by `months`."""
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_released_month(now: dt.datetime, lag_months: int) -> str:
    """The latest month whose lag has passed at `now`: it ended `lag_months` ago or more."""
    return shift_month(month_of(now), -(lag_months + 1))


async def _contributions(session: AsyncSession, month: str) -> Inputs:
    # A member offboarded with WITHDRAW contributes to no release built after it left.
    reports = await session.scalars(
        select(TrendReport).where(TrendReport.month == month, ~has_withdrawn(TrendReport.member_id))
    )
    return {(str(r.member_id), r.region, r.platform, r.category): r.figures() for r in reports}


async def publish_month(
    session: AsyncSession, month: str, settings: disclosure_settings.DisclosureSettings
) -> TrendRelease | None:
    """Freeze the next release of `month` if its figures changed since its latest release
    (or it has none yet); None when there is nothing new."""
    current = await _contributions(session, month)
    metrics = [metric.value for metric in Metric]
    return await release_store.publish_period(
        session,
        source=Source.TREND_REPORTS,
        period=month,
        current=current,
        metrics=metrics,
        settings=settings,
    )


async def due_months(session: AsyncSession, now: dt.datetime) -> list[str]:
    """The months whose lag has passed at `now` and that have reports or releases."""
    settings = await disclosure_settings.current(session)
    last = last_released_month(now, settings.report_lag_months)
    reported = await session.scalars(
        select(TrendReport.month).where(TrendReport.month <= last).distinct()
    )
    released = await session.scalars(
        select(TrendRelease.period)
        .where(TrendRelease.source == Source.TREND_REPORTS, TrendRelease.period <= last)
        .distinct()
    )
    return sorted(set(reported) | set(released))


async def publish(session: AsyncSession, *, now: dt.datetime | None = None) -> list[TrendRelease]:
    """Build, in `session`, the next release of every month (trend reports) and every week
    (indicator trends) whose lag has passed and whose figures changed since its latest
    release."""
    now = now or utcnow()
    settings = await disclosure_settings.current(session)
    built = []
    for month in await due_months(session, now):
        built.append(await publish_month(session, month, settings))
    members = await indicator_trends.counted_members(session)
    for week in await indicator_trends.due_weeks(session, now, settings, members):
        built.append(await indicator_trends.publish_week(session, week, settings, members))
    return [release for release in built if release is not None]


Step = Callable[[AsyncSession, DisclosureSettings], Awaitable[TrendRelease | None]]


async def _steps(database: Database, now: dt.datetime) -> list[tuple[str, Step]]:
    async with database.session() as session:
        settings = await disclosure_settings.current(session)
        months = await due_months(session, now)
        members = await indicator_trends.counted_members(session)
        weeks = await indicator_trends.due_weeks(session, now, settings, members)
    steps: list[tuple[str, Step]] = [
        (month, functools.partial(_month_step, month)) for month in months
    ]
    steps += [(week, functools.partial(_week_step, week, members)) for week in weeks]
    return steps


async def _month_step(
    month: str, session: AsyncSession, settings: DisclosureSettings
) -> TrendRelease | None:
    return await publish_month(session, month, settings)


async def _week_step(
    week: str, members: list[uuid.UUID], session: AsyncSession, settings: DisclosureSettings
) -> TrendRelease | None:
    return await indicator_trends.publish_week(session, week, settings, members)


async def publish_each(database: Database, *, now: dt.datetime | None = None) -> list[str]:
    """`publish`, one short transaction per month or week (the operator's `alliance trends
    publish`); a period another instance is publishing at the same moment is left to it.
    The periods released."""
    built = []
    for period, step in await _steps(database, now or utcnow()):
        try:
            async with database.transaction() as session:
                release = await step(session, await disclosure_settings.current(session))
        except IntegrityError:
            logger.info("release of %s: another instance published it", period)
            continue
        if release is not None:
            built.append(f"{period} #{release.sequence}")
    return built
