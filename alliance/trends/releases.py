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
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.db import Database, utcnow
from alliance.members.departures import has_withdrawn
from alliance.trends import settings as disclosure_settings
from alliance.trends.models import (
    TrendRelease,
    TrendReleaseCell,
    TrendReleaseInput,
    TrendReport,
)
from alliance.trends.service import month_of
from alliance.trends.vocabulary import Metric, Source
from sharing import disclosure

logger = logging.getLogger(__name__)

FineKey = tuple[str, str, str, str]  # member, region, platform, category
Inputs = dict[FineKey, dict[str, int]]


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


async def _inputs(session: AsyncSession, release_id: uuid.UUID) -> Inputs:
    rows = await session.scalars(
        select(TrendReleaseInput).where(TrendReleaseInput.release_id == release_id)
    )
    return {
        (str(r.member_id), r.region, r.platform, r.category): {
            name: int(value) for name, value in r.figures.items()
        }
        for r in rows
    }


async def _published(session: AsyncSession, release_id: uuid.UUID) -> dict[str, dict[Any, int]]:
    rows = await session.execute(
        select(
            TrendReleaseCell.metric,
            TrendReleaseCell.region,
            TrendReleaseCell.platform,
            TrendReleaseCell.category,
            TrendReleaseCell.value,
        ).where(TrendReleaseCell.release_id == release_id, TrendReleaseCell.value.is_not(None))
    )
    published: dict[str, dict[Any, int]] = {}
    for metric, region, platform, category, value in rows:
        published.setdefault(metric, {})[(region, platform, category)] = int(value or 0)
    return published


def _table(inputs: Inputs, metric: Metric) -> disclosure.Table:
    table: dict[disclosure.FineCell, dict[str, int]] = {}
    for (member, region, platform, category), figures in inputs.items():
        value = figures.get(metric.value, 0)
        if value:
            table.setdefault((region, platform, category), {})[member] = value
    return table


def _dimensions(*versions: Inputs) -> disclosure.Dimensions:
    # The cube spans what anyone reported in the month. A value nobody reported answers
    # like a suppressed cell (alliance/trends/reads.py), so the span reveals nothing.
    keys = [key for inputs in versions for key in inputs]
    return disclosure.Dimensions(
        tuple(sorted({k[1] for k in keys})),
        tuple(sorted({k[2] for k in keys})),
        tuple(sorted({k[3] for k in keys})),
    )


def _cells(
    release_id: uuid.UUID, metric: Metric, outcomes: Mapping[disclosure.Cell, disclosure.Outcome]
) -> list[dict[str, Any]]:
    return [
        {
            "release_id": release_id,
            "metric": metric.value,
            "region": region,
            "platform": platform,
            "category": category,
            "value": outcome.value,
            "reason": None if outcome.reason is None else outcome.reason.value,
        }
        for (region, platform, category), outcome in outcomes.items()
    ]


async def publish_month(
    session: AsyncSession, month: str, settings: disclosure_settings.DisclosureSettings
) -> TrendRelease | None:
    """Freeze the next release of `month` if its figures changed since its latest release
    (or it has none yet); None when there is nothing new."""
    current = await _contributions(session, month)
    earlier = list(
        await session.scalars(
            select(TrendRelease)
            .where(TrendRelease.source == Source.TREND_REPORTS, TrendRelease.period == month)
            .order_by(TrendRelease.sequence)
        )
    )
    inputs = [await _inputs(session, release.id) for release in earlier]
    if (inputs and inputs[-1] == current) or (not inputs and not current):
        return None
    published = [await _published(session, release.id) for release in earlier]
    started = time.perf_counter()
    rules = settings.rules()
    release = TrendRelease(
        id=uuid.uuid4(),
        source=Source.TREND_REPORTS.value,
        period=month,
        sequence=len(earlier) + 1,
        rules=settings.to_json(),
    )
    session.add(release)
    await session.flush()
    dimensions = _dimensions(current, *inputs)
    for metric in Metric:
        before = [
            disclosure.EarlierRelease(_table(old, metric), cells.get(metric.value, {}))
            for old, cells in zip(inputs, published, strict=True)
        ]
        outcomes = disclosure.release(dimensions, _table(current, metric), rules, before)
        await session.execute(insert(TrendReleaseCell), _cells(release.id, metric, outcomes))
    if current:
        await session.execute(
            insert(TrendReleaseInput),
            [
                {
                    "release_id": release.id,
                    "member_id": uuid.UUID(member),
                    "region": region,
                    "platform": platform,
                    "category": category,
                    "figures": figures,
                }
                for (member, region, platform, category), figures in current.items()
            ],
        )
    logger.info(
        "trend release %s #%d built in %.2f s",
        month,
        release.sequence,
        time.perf_counter() - started,
    )
    return release


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
    """Build, in `session`, the next release of every month whose lag has passed and whose
    figures changed since its latest release."""
    settings = await disclosure_settings.current(session)
    built = []
    for month in await due_months(session, now or utcnow()):
        release = await publish_month(session, month, settings)
        if release is not None:
            built.append(release)
    return built


async def publish_each(database: Database, *, now: dt.datetime | None = None) -> list[str]:
    """`publish`, one short transaction per month (the operator's `alliance trends
    publish`); a month another instance is publishing at the same moment is left to it.
    The months released."""
    async with database.session() as session:
        months = await due_months(session, now or utcnow())
    built = []
    for month in months:
        try:
            async with database.transaction() as session:
                settings = await disclosure_settings.current(session)
                release = await publish_month(session, month, settings)
        except IntegrityError:
            logger.info("trend release of %s: another instance published it", month)
            continue
        if release is not None:
            built.append(f"{month} #{release.sequence}")
    return built
