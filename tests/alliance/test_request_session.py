"""A request's one session: filtered for its viewer once bound (nothing before), safe to
share between concurrent readers, and its writing blocks all-or-nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from alliance.brands.models import Brand
from alliance.indicators.models import Indicator
from alliance.request_session import RequestSession
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World


async def _indicator_count(request: RequestSession) -> int:
    async with request.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(Indicator)) or 0)


async def test_it_sees_nothing_shareable_until_a_viewer_is_bound(
    world: World, intel: Intel
) -> None:
    # given a record shared with the alliance, and a region-only one
    owner = await world.member(region="EU")
    await intel.indicator(owner, "alliance=FULL")
    await intel.indicator(owner, "region:EU=FULL")
    request = world.db.request_session()
    try:
        # when it reads before and after its viewer (of another region) is bound
        before = await _indicator_count(request)
        request.bind(member_viewer(await world.member(region="CN")))
        after = await _indicator_count(request)
    finally:
        await request.close()

    # then it saw nothing, then what that viewer may list
    assert (before, after) == (0, 1)


async def test_it_serves_one_viewer_only(world: World) -> None:
    request = world.db.request_session()
    request.bind(member_viewer(await world.member(region="EU")))
    with pytest.raises(RuntimeError):
        request.bind(member_viewer(await world.member(region="CN")))
    await request.close()


async def test_concurrent_readers_take_turns_on_the_one_session(world: World, intel: Intel) -> None:
    # given a viewer's request and records it may list
    owner = await world.member(region="EU")
    for _ in range(3):
        await intel.indicator(owner, "alliance=FULL")
    request = world.db.request_session()
    request.bind(member_viewer(owner))

    # when many readers use it at once (as sibling resolvers do)
    try:
        counts = await asyncio.gather(*(_indicator_count(request) for _ in range(8)))
    finally:
        await request.close()

    # then each read right (an AsyncSession used concurrently would have failed)
    assert counts == [3] * 8


async def test_a_writing_block_that_fails_leaves_nothing(world: World) -> None:
    # given a member, and a request writing a brand of it then failing
    member = await world.member(region="EU")
    request = world.db.request_session()
    request.bind(member_viewer(member))

    async def write_then_fail() -> None:
        async with request.writing() as session:
            session.add(Brand(member_id=member.id, name="Half written"))
            await session.flush()
            raise ValueError("after the write")

    with pytest.raises(ValueError, match="after the write"):
        await write_then_fail()

    # when the same request then writes and commits another
    async with request.writing() as session:
        session.add(Brand(member_id=member.id, name="Whole"))
    await request.close()

    # then only the committed one is there
    async with world.db.session() as session:
        names = (
            await session.scalars(select(Brand.name).where(Brand.member_id == member.id))
        ).all()
    assert list(names) == ["Whole"]
