"""The viewer session filters every ORM read of shareable rows, and fails closed."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from alliance.indicators.models import Indicator, Link
from sharing import SYSTEM_VIEWER
from sharing.policy import ViewerFacts
from sharing.predicate import Reach, visible_to
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World


async def test_joins_aliases_counts_and_get_are_filtered(world: World, intel: Intel) -> None:
    owner = await world.member(region="EU")
    viewer = member_viewer(await world.member(region="CN"))
    shown = await intel.indicator(owner, "alliance=FULL")
    hidden = await intel.indicator(owner, "region:EU=FULL")
    await intel.link(owner, shown, hidden)
    source, target = aliased(Indicator), aliased(Indicator)

    async with world.db.viewer_session(viewer) as session:
        count = await session.scalar(select(func.count()).select_from(Indicator))
        got = await session.get(Indicator, hidden.id)
        links = (
            await session.scalars(
                select(Link)
                .join(source, source.id == Link.source_id)
                .join(target, target.id == Link.target_id)
            )
        ).all()

    assert count == 1
    assert got is None
    assert links == []


async def test_a_viewer_without_a_member_sees_nothing_and_core_agrees(
    world: World, intel: Intel
) -> None:
    await intel.indicator(await world.member(), "alliance=FULL")

    async with world.db.viewer_session(SYSTEM_VIEWER) as session:
        orm = (await session.scalars(select(Indicator))).all()
        core = await session.scalar(
            select(func.count())
            .select_from(Indicator.__table__)
            .where(visible_to(Indicator, ViewerFacts.of(SYSTEM_VIEWER), Reach.MATCH))
        )

    assert orm == []
    assert core == 0
