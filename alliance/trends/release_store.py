"""Freezing releases, whatever their source: the generic half of alliance/trends/releases.py.

A release's cells are public; its inputs (what each member contributed per finest cell)
are never served: a later release of the same period is audited against them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.trends.models import TrendRelease, TrendReleaseCell, TrendReleaseInput
from alliance.trends.settings import DisclosureSettings
from alliance.trends.vocabulary import Source
from sharing import disclosure

logger = logging.getLogger(__name__)

FineKey = tuple[str, str, str, str]  # member, then the three coordinates of a finest cell
Inputs = dict[FineKey, dict[str, int]]


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


def _table(inputs: Inputs, metric: str) -> disclosure.Table:
    table: dict[disclosure.FineCell, dict[str, int]] = {}
    for (member, region, platform, category), figures in inputs.items():
        value = figures.get(metric, 0)
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
    release_id: uuid.UUID, metric: str, outcomes: Mapping[disclosure.Cell, disclosure.Outcome]
) -> list[dict[str, Any]]:
    return [
        {
            "release_id": release_id,
            "metric": metric,
            "region": region,
            "platform": platform,
            "category": category,
            "value": outcome.value,
            "reason": None if outcome.reason is None else outcome.reason.value,
        }
        for (region, platform, category), outcome in outcomes.items()
    ]


async def publish_period(
    session: AsyncSession,
    *,
    source: Source,
    period: str,
    current: Inputs,
    metrics: Sequence[str],
    settings: DisclosureSettings,
) -> TrendRelease | None:
    """Freeze the next release of `period` from `current` (what each member contributed
    per finest cell) if it differs from the latest release's (or there is none yet); None
    when there is nothing new."""
    earlier = list(
        await session.scalars(
            select(TrendRelease)
            .where(TrendRelease.source == source, TrendRelease.period == period)
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
        source=source.value,
        period=period,
        sequence=len(earlier) + 1,
        rules=settings.to_json(),
    )
    session.add(release)
    await session.flush()
    dimensions = _dimensions(current, *inputs)
    for metric in metrics:
        before = [
            disclosure.EarlierRelease(_table(old, metric), cells.get(metric, {}))
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
        "%s release %s #%d built in %.2f s",
        source.value,
        period,
        release.sequence,
        time.perf_counter() - started,
    )
    return release
