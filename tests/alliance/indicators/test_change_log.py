"""The change log is written by the database: every writer of `indicators` is logged,
whoever it is, and an update nobody can see is not."""

from __future__ import annotations

from sqlalchemy import inspect, select, update

from alliance.db import Database
from alliance.indicators.change_log import UNWATCHED, WATCHED, indicator_changes
from alliance.indicators.models import Indicator
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World


async def _log(db: Database) -> list[tuple[object, ...]]:
    async with db.session() as session:
        rows = await session.execute(
            select(
                indicator_changes.c.record_id,
                indicator_changes.c.audience_keys,
                indicator_changes.c.status,
                indicator_changes.c.deleted,
            ).order_by(indicator_changes.c.seq)
        )
        return [tuple(row) for row in rows]


def test_every_column_of_indicators_is_watched_or_says_why_not() -> None:
    columns = {c.key for c in inspect(Indicator).columns}
    assert columns == set(WATCHED) | set(UNWATCHED)
    assert not set(WATCHED) & set(UNWATCHED)


async def test_inserts_visible_updates_and_deletes_are_logged(
    db: Database, world: World, intel: Intel
) -> None:
    # given a record written through the service
    owner = await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    logged = await _log(db)
    assert logged[-1][0] == record.id
    assert logged[-1][1] == ["FULL:alliance:"]  # its state after the audience triggers

    # when a writer of its own changes a watched column, an unwatched one, then deletes it
    async with db.transaction() as session:
        await session.execute(
            update(Indicator).where(Indicator.id == record.id).values(confidence=90)
        )
    after_update = await _log(db)
    async with db.transaction() as session:
        await session.execute(
            update(Indicator).where(Indicator.id == record.id).values(policy_version=7)
        )
    assert await _log(db) == after_update  # nobody can see policy_version
    async with db.transaction() as session:
        await session.execute(Indicator.__table__.delete().where(Indicator.id == record.id))

    # then the watched update and the delete are logged, the delete marked
    final = await _log(db)
    assert len(after_update) == len(logged) + 1
    assert final[-1][0] == record.id
    assert final[-1][3] is True


async def test_a_transaction_leaves_one_row_per_record_its_last_state(
    db: Database, world: World, intel: Intel
) -> None:
    # given a record, and a transaction that passes it through two states, then touches
    # it again in a column nobody sees
    owner = await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    before = await _log(db)
    async with db.transaction() as session:
        for confidence in (10, 20):
            await session.execute(
                update(Indicator).where(Indicator.id == record.id).values(confidence=confidence)
            )
        await session.execute(
            update(Indicator).where(Indicator.id == record.id).values(policy_version=3)
        )

    # then the log holds one more row for it: the state the transaction committed
    after = await _log(db)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    async with db.session() as session:
        confidence = await session.scalar(select(Indicator.confidence))
    assert confidence == 20
