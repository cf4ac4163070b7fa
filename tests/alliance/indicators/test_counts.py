"""totalCount: exact up to a cap, beyond it an estimate flagged as such, built from the
viewer's visible rows only."""

from __future__ import annotations

from alliance.indicators.search import IndicatorFilter, count
from alliance.members.models import Member
from alliance.pagination import Total
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World

VISIBLE = 5


async def _reader_of_five(world: World, intel: Intel) -> Member:
    """A CN member who may list 5 of the 17 records written."""
    owner = await world.member(region="EU")
    for _ in range(VISIBLE):
        await intel.indicator(owner, "alliance=FULL")
    for _ in range(12):  # records the reader may not list
        await intel.indicator(owner, "region:EU=FULL")
    return await world.member(region="CN")


async def _count(world: World, reader: Member, cap: int) -> tuple[Total, str]:
    viewer = member_viewer(reader)
    async with world.db.viewer_session(viewer) as session:
        total = await count(session, viewer=viewer, wanted=IndicatorFilter(), cap=cap)
        return total, session.get_bind().dialect.name


async def test_a_count_within_the_cap_is_exact(world: World, intel: Intel) -> None:
    reader = await _reader_of_five(world, intel)

    total, _ = await _count(world, reader, cap=VISIBLE)

    assert total == Total(VISIBLE, exact=True)


async def test_beyond_the_cap_postgresql_estimates_from_visible_rows_only(
    world: World, intel: Intel
) -> None:
    reader = await _reader_of_five(world, intel)

    total, engine = await _count(world, reader, cap=2)

    if engine == "postgresql":
        # A table this small is sampled whole: the estimate is the visible count; the 12
        # records the reader may not list are not in it.
        assert total == Total(VISIBLE, exact=False)
    else:
        assert total == Total(VISIBLE, exact=True)  # SQLite always counts exactly


async def test_the_api_says_whether_the_total_is_an_estimate(
    api: Api, world: World, intel: Intel
) -> None:
    reader = await _reader_of_five(world, intel)
    token = world.token(await world.user(reader))

    data = await api.query(
        "{ indicators(first: 1) { totalCount totalCountIsEstimate } }", token=token
    )

    assert data["indicators"] == {"totalCount": VISIBLE, "totalCountIsEstimate": False}
