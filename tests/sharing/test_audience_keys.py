"""A record's audience keys (what the read predicate tests) follow its grants and excludes
rows whoever writes them: the triggers leave no writer a way to keep a stale copy."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from alliance.indicators.models import Indicator
from sharing.audience import Audience, parse_audience
from sharing.audience_keys import exclude_key, grant_key, keys_column_value
from sharing.storage import audience_keys_of, stored_audiences, tables_of
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World

# Written directly, not through sharing.storage: writers that know nothing of the keys.
_grants = tables_of(Indicator).grants
_excludes = tables_of(Indicator).excludes


def _expected(audience: Audience) -> list[str] | None:
    grants = [grant_key(g.level, g.target.kind, g.target.key) for g in audience.grants]
    expected = keys_column_value([*grants, *(exclude_key(m) for m in audience.excludes)])
    assert audience_keys_of(audience) == expected  # what a writer may put in the row
    return expected


async def _keys_match_rows(world: World, ids: list[uuid.UUID]) -> None:
    async with world.db.session() as session:
        audiences = await stored_audiences(session, Indicator, ids)
        stored = dict((await session.execute(select(Indicator.id, Indicator.audience_keys))).all())
    for record in ids:
        assert stored[record] == _expected(audiences[record]), record


async def _listed(world: World, viewer_member: object, record: uuid.UUID) -> bool:
    async with world.db.viewer_session(member_viewer(viewer_member)) as session:  # type: ignore[arg-type]
        return await session.get(Indicator, record) is not None


async def test_keys_are_the_stored_audience_after_service_writes(
    world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    other = await world.member(region="CN")
    written = [
        await intel.indicator(owner, "alliance=FULL"),
        await intel.indicator(owner, f"alliance=ANONYMOUS, exclude:{other.id}"),
        await intel.indicator(owner, f"region:EU=FULL, member:{other.id}=MATCH_ONLY"),
        await intel.indicator(owner, "alliance=MATCH_ONLY, region:EU=ANONYMOUS"),
        await intel.indicator(owner, None),  # the owner's default: private
    ]

    await _keys_match_rows(world, [record.id for record in written])


async def test_a_grant_deleted_by_any_writer_revokes_at_once(world: World, intel: Intel) -> None:
    owner = await world.member(region="EU")
    reader = await world.member(region="CN")
    record = await intel.indicator(owner, "alliance=FULL")
    assert await _listed(world, reader, record.id)

    async with world.db.transaction() as session:
        await session.execute(_grants.delete().where(_grants.c.record_id == record.id))

    assert not await _listed(world, reader, record.id)
    assert await _listed(world, owner, record.id)
    await _keys_match_rows(world, [record.id])


async def test_an_exclude_added_by_any_writer_hides_at_once(world: World, intel: Intel) -> None:
    owner = await world.member(region="EU")
    reader = await world.member(region="CN")
    bystander = await world.member(region="AMER")
    record = await intel.indicator(owner, "alliance=FULL")

    async with world.db.transaction() as session:
        await session.execute(_excludes.insert().values(record_id=record.id, member_id=reader.id))

    assert not await _listed(world, reader, record.id)
    assert await _listed(world, bystander, record.id)
    await _keys_match_rows(world, [record.id])


async def test_a_grant_widened_by_any_writer_shows_at_once(world: World, intel: Intel) -> None:
    owner = await world.member(region="EU")
    reader = await world.member(region="CN")
    record = await intel.indicator(owner, "region:EU=FULL")
    assert not await _listed(world, reader, record.id)

    async with world.db.transaction() as session:
        await session.execute(
            text("UPDATE indicators_grants SET target_kind = 'alliance', target_key = '' "),
        )

    assert await _listed(world, reader, record.id)
    await _keys_match_rows(world, [record.id])


async def _row_version(world: World, record: uuid.UUID) -> str:
    async with world.db.session() as session:
        found = await session.scalar(
            text("SELECT ctid::text FROM indicators WHERE id = :r"), {"r": record}
        )
    return str(found)


async def test_added_rows_whose_keys_the_row_holds_leave_it_alone(
    world: World, intel: Intel
) -> None:
    # What the bulk path does: the keys in the row first, then the grants and the
    # excludes in two statements. Each statement used to rewrite the row in full.
    if world.db.dialect != "postgresql":
        pytest.skip("SQLite's row-level triggers refresh the row at each row added")
    owner = await world.member(region="EU")
    reader = await world.member(region="CN")
    record = await intel.indicator(owner, None)  # private: no grants, no excludes
    audience = parse_audience(f"alliance=FULL, exclude:{reader.id}")
    async with world.db.transaction() as session:
        await session.execute(
            text("UPDATE indicators SET audience_keys = :k WHERE id = :r"),
            {"k": audience_keys_of(audience), "r": record.id},
        )
    before = await _row_version(world, record.id)

    async with world.db.transaction() as session:
        await session.execute(
            _grants.insert().values(
                record_id=record.id, target_kind="alliance", target_key="", level="FULL"
            )
        )
        await session.execute(_excludes.insert().values(record_id=record.id, member_id=reader.id))

    assert await _row_version(world, record.id) == before  # not rewritten
    await _keys_match_rows(world, [record.id])
    assert not await _listed(world, reader, record.id)


async def test_an_added_row_the_keys_lack_still_recomputes_them(world: World, intel: Intel) -> None:
    owner = await world.member(region="EU")
    reader = await world.member(region="CN")
    record = await intel.indicator(owner, "region:EU=FULL")
    async with world.db.transaction() as session:  # keys that hold one grant, not the other
        await session.execute(
            _grants.insert().values(
                record_id=record.id, target_kind="alliance", target_key="", level="ANONYMOUS"
            )
        )
    assert await _listed(world, reader, record.id)
    await _keys_match_rows(world, [record.id])
