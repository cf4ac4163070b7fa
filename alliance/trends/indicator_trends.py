"""Indicator trends: new indicators per ISO week, by owner region, platform and kind, from
members whose policy counts their records in alliance aggregates (`count_in_aggregates`,
DESIGN §3), released under the same disclosure control as trend reports (contributors are
the owner members; a week is a period).

Counted by when a record was created, whatever became of it since (retracted, expired):
a count of new records says nothing about any one of them, and a week's count only changes
when a member opts in or out or leaves (each makes the week's next release, audited).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.indicators.models import Indicator
from alliance.members.departures import has_withdrawn
from alliance.members.models import Member
from alliance.policies.store import current_policy
from alliance.trends import release_store
from alliance.trends.models import TrendRelease
from alliance.trends.release_store import Inputs
from alliance.trends.settings import DisclosureSettings
from alliance.trends.vocabulary import Source
from sharing import MemberStatus

METRIC = "new_indicators"
NO_PLATFORM = "none"  # the platform coordinate of records that have none
OLDEST_WEEKS = 104  # how far back releases go
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_of(moment: dt.datetime) -> str:
    """The ISO week of `moment` (UTC), `YYYY-Www`."""
    year, week, _ = moment.astimezone(dt.UTC).isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_start(week: str) -> dt.datetime:
    return dt.datetime.fromisocalendar(int(week[:4]), int(week[6:8]), 1).replace(tzinfo=dt.UTC)


def shift_week(week: str, weeks: int) -> str:
    return week_of(week_start(week) + dt.timedelta(weeks=weeks))


def require_week(value: str, *, field: str) -> str:
    """`value` if it is an ISO week `YYYY-Www` from 2000 on; `InvalidInput` naming `field`."""
    match = _WEEK.match(value)
    valid = match is not None and int(match.group(1)) >= 2000
    if valid:
        try:
            week_start(value)
        except ValueError:
            valid = False
    if not valid:
        raise InvalidInput("A week is written YYYY-Www (ISO 8601), from 2000-W01.", field=field)
    return value


def last_released_week(now: dt.datetime, lag_weeks: int) -> str:
    """The latest week that ended `lag_weeks` weeks ago or more."""
    return shift_week(week_of(now), -(lag_weeks + 1))


async def counted_members(session: AsyncSession) -> list[uuid.UUID]:
    """Members whose current policy counts their records in aggregates; never one that
    left with WITHDRAW."""
    members = await session.scalars(
        select(Member.id)
        .where(Member.status != MemberStatus.INVITED, ~has_withdrawn(Member.id))
        .order_by(Member.id)
    )
    counted = []
    for member_id in members:
        policy, _ = await current_policy(session, member_id)
        if policy.count_in_aggregates:
            counted.append(member_id)
    return counted


async def _contributions(session: AsyncSession, week: str, members: list[uuid.UUID]) -> Inputs:
    if not members:
        return {}
    start = week_start(week)
    counts = await session.execute(
        select(
            Indicator.owner_member_id,
            Member.region_code,
            Indicator.platform,
            Indicator.kind,
            func.count(),
        )
        .join(Member, Member.id == Indicator.owner_member_id)
        .where(
            Indicator.owner_member_id.in_(members),
            Indicator.created_at >= start,
            Indicator.created_at < start + dt.timedelta(weeks=1),
        )
        .group_by(Indicator.owner_member_id, Member.region_code, Indicator.platform, Indicator.kind)
    )
    return {
        (str(member), region, platform or NO_PLATFORM, kind.value): {METRIC: int(count)}
        for member, region, platform, kind, count in counts
    }


async def due_weeks(
    session: AsyncSession, now: dt.datetime, settings: DisclosureSettings, members: list[uuid.UUID]
) -> list[str]:
    """The weeks whose lag has passed and that have counted records or releases (at most
    `OLDEST_WEEKS` back)."""
    last = last_released_week(now, settings.indicator_lag_weeks)
    oldest = shift_week(last, -OLDEST_WEEKS + 1)
    released = set(
        await session.scalars(
            select(TrendRelease.period)
            .where(TrendRelease.source == Source.INDICATORS, TrendRelease.period >= oldest)
            .distinct()
        )
    )
    first = None
    if members:
        first = await session.scalar(
            select(func.min(Indicator.created_at)).where(Indicator.owner_member_id.in_(members))
        )
    weeks = set()
    if first is not None:
        week = max(week_of(first), oldest)
        while week <= last:
            weeks.add(week)
            week = shift_week(week, 1)
    return sorted(weeks | {week for week in released if week <= last})


async def publish_week(
    session: AsyncSession, week: str, settings: DisclosureSettings, members: list[uuid.UUID]
) -> TrendRelease | None:
    """Freeze the next release of `week` if its counts changed (None otherwise)."""
    return await release_store.publish_period(
        session,
        source=Source.INDICATORS,
        period=week,
        current=await _contributions(session, week, members),
        metrics=[METRIC],
        settings=settings,
    )
