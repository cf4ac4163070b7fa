"""Indicator trends through the API: only members that opted in count, answers come from
weekly releases, and opting out is a change the next release does not reveal."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from alliance.db import Database
from alliance.indicators.models import Indicator
from alliance.members.models import Member
from alliance.policies import service as policy_service
from alliance.trends import releases
from alliance.trends.indicator_trends import week_of
from sharing.policy import MemberPolicy
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

WEEK_START = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)  # a Monday
WEEK = week_of(WEEK_START)
TRENDS = """query($week: String!) {
  indicatorTrends(groupBy: [KIND], weeks: {from: $week, to: $week}, filter: {kinds: [EMAIL]}) {
    rows { week kind value suppressed { reason } } } }"""


async def opt(world: World, member: Member, counted: bool) -> None:
    viewer = world.as_viewer(await world.admin_of(member), member)
    async with world.db.transaction() as session:
        policy = MemberPolicy(member_id=member.id, count_in_aggregates=counted)
        await policy_service.set_policy(session, viewer=viewer, policy=policy)


async def test_only_opted_in_members_count_and_opting_out_is_protected(
    api: Api, world: World, intel: Intel, db: Database
) -> None:
    # given six members that count in aggregates and one that does not, two records each
    counted = [await world.member() for _ in range(6)]
    private = await world.member()
    for member in counted:
        await opt(world, member, True)
    for member in [*counted, private]:
        for _ in range(2):
            await intel.indicator(member)
    async with db.transaction() as session:
        await session.execute(update(Indicator).values(created_at=WEEK_START))
    reader = world.token(await world.user(private))

    # before a release: nothing but the reason
    before = await api.query(TRENDS, {"week": WEEK}, token=reader)
    assert before["indicatorTrends"]["rows"][0]["suppressed"] == {"reason": "PERIOD_NOT_RELEASED"}

    # when the week is released: the six members' twelve records, not the private two
    async with db.transaction() as session:
        assert len(await releases.publish(session)) == 1
    released = await api.query(TRENDS, {"week": WEEK}, token=reader)
    assert released["indicatorTrends"]["rows"] == [
        {"week": WEEK, "kind": "EMAIL", "value": 12, "suppressed": None}
    ]

    # when one member opts out, the next release leaves it out without showing 12 - 10
    await opt(world, counted[0], False)
    async with db.transaction() as session:
        assert len(await releases.publish(session)) == 1
    after = await api.query(TRENDS, {"week": WEEK}, token=reader)
    [row] = after["indicatorTrends"]["rows"]
    assert row["value"] is None
    assert row["suppressed"] == {"reason": "COMPLEMENTARY"}
