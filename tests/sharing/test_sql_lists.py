"""`one_of`: the rows whose column is in a list, with one SQL text for any length of list
(the reads of a page's nested fields used to run a new statement text per list length)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from alliance.members.models import Member
from alliance.regions.models import Region
from sharing.sql_lists import one_of
from tests.fixtures.world import World


async def test_one_of_finds_the_listed_rows_on_both_engines(world: World) -> None:
    members = [await world.member(f"Member {n}") for n in range(4)]
    ids = [m.id for m in members]
    async with world.db.session() as session:

        async def named(values: list[uuid.UUID]) -> list[str]:
            query = select(Member.legal_name).where(one_of(Member.id, values))
            return sorted(await session.scalars(query))

        assert await named([ids[0], ids[2]]) == ["Member 0", "Member 2"]
        assert await named([ids[1], ids[1], uuid.uuid4()]) == ["Member 1"]  # duplicates, unknown
        assert await named([]) == []
        assert await named(ids) == [f"Member {n}" for n in range(4)]
        codes = await session.scalars(select(Region.code).where(one_of(Region.code, ["EU", "XX"])))
        assert list(codes) == ["EU"]


async def test_one_statement_text_for_any_number_of_values(
    world: World, statements: list[str]
) -> None:
    async with world.db.session() as session:
        for count in (1, 7, 50):
            values = [uuid.uuid4() for _ in range(count)]
            await session.execute(select(Member.id).where(one_of(Member.id, values)))
    assert len(statements) == 3
    assert len(set(statements)) == 1, statements
