"""No skips (DESIGN §4.2), on PostgreSQL: a transaction that wrote first and commits last
is not skipped by a reader that pulled while it was open."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from alliance.db import Database
from alliance.indicators.models import Indicator
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.schema.feed_replica import Replica
from tests.schema.test_changes import gid


async def _write(
    db: Database, record: Indicator, confidence: int, wrote: asyncio.Event, commit: asyncio.Event
) -> None:
    """Change `record` in a transaction of its own connection, say so, then wait to commit."""
    async with db.engine.connect() as connection, connection.begin():
        await connection.execute(
            update(Indicator).where(Indicator.id == record.id).values(confidence=confidence)
        )
        wrote.set()
        await commit.wait()


async def test_a_late_committer_is_not_skipped(
    db: Database, api: Api, world: World, intel: Intel
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: its sequence is commit-ordered")
    # given a viewer up to date with two records
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    early, late = await intel.indicator(owner), await intel.indicator(owner)
    replica = Replica(api, world.token(await world.user(viewer)))
    await replica.pull()

    # when a transaction changes `early` first (the smaller sequence value) and stays open,
    # a second one changes `late` and commits, and the viewer pulls in between
    first_wrote, first_commits = asyncio.Event(), asyncio.Event()
    second_wrote, second_commits = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(_write(db, early, 91, first_wrote, first_commits))
    await first_wrote.wait()
    second = asyncio.create_task(_write(db, late, 92, second_wrote, second_commits))
    await second_wrote.wait()
    second_commits.set()
    await second
    between = await replica.page()
    first_commits.set()
    await first

    # then the pull in between delivered neither change (both wait behind the open
    # transaction), and the next pull delivers both: nothing skipped
    assert between["events"] == []
    assert between["pending"] is True
    await replica.pull()
    assert replica.records[gid(early)]["confidence"] == 91
    assert replica.records[gid(late)]["confidence"] == 92
