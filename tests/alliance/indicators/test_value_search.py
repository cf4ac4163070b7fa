"""valueContains: substring search in any letter case, among what the viewer may list,
served by an index on both engines (pg_trgm; an FTS5 trigram table on SQLite)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.dialects import sqlite

from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator
from alliance.indicators.value_search import value_contains
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

LIST = """query($filter: IndicatorFilterInput) {
  indicators(first: 50, filter: $filter) { edges { node { value } } } }"""


async def _values(api: Api, token: str, fragment: str) -> list[str]:
    data = await api.query(LIST, {"filter": {"valueContains": fragment}}, token=token)
    return sorted(edge["node"]["value"] for edge in data["indicators"]["edges"])


async def test_a_fragment_finds_listable_values_in_any_case(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    domain = IndicatorKind.DOMAIN
    await intel.indicator(owner, "alliance=FULL", kind=domain, value="cheap-gucci-bags.com")
    await intel.indicator(owner, "alliance=ANONYMOUS", kind=domain, value="GUCCI-outlet.net")
    await intel.indicator(owner, "region:EU=FULL", kind=domain, value="eu-gucci.shop")
    await intel.indicator(owner, "alliance=MATCH_ONLY", kind=domain, value="gucci-match.com")
    await intel.indicator(owner, "alliance=FULL", kind=domain, value="prada-bags.com")
    token = world.token(await world.user(await world.member(region="CN")))

    assert await _values(api, token, "Gucci") == ["cheap-gucci-bags.com", "gucci-outlet.net"]
    assert await _values(api, token, "bags") == ["cheap-gucci-bags.com", "prada-bags.com"]


async def test_wildcards_in_the_fragment_are_plain_characters(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member()
    await intel.indicator(owner, value="a_b%c@example.com")
    await intel.indicator(owner, value="axbyc@example.com")
    token = world.token(await world.user(owner))

    assert await _values(api, token, "a_b%c") == ["a_b%c@example.com"]
    assert await _values(api, token, "_b%") == ["a_b%c@example.com"]


async def test_a_deleted_record_is_not_found_again(api: Api, world: World, intel: Intel) -> None:
    owner = await world.member()
    gone = await intel.indicator(owner, value="vanishing@example.com")
    token = world.token(await world.user(owner))
    assert await _values(api, token, "vanish") == ["vanishing@example.com"]

    async with world.db.transaction() as session:
        await session.execute(delete(Indicator).where(Indicator.id == gone.id))

    assert await _values(api, token, "vanish") == []


async def test_a_fragment_under_three_characters_is_a_field_error(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))

    [error] = await api.errors(LIST, {"filter": {"valueContains": "gu"}}, token=token)

    assert error["extensions"]["code"] == "VALIDATION"
    assert error["extensions"]["field"] == "valueContains"


async def test_sqlite_searches_through_its_trigram_table(world: World, intel: Intel) -> None:
    if world.db.dialect != "sqlite":
        pytest.skip("PostgreSQL's plan: tests/alliance/indicators/test_page_plans.py")
    await intel.indicator(await world.member(), value="trigram@example.com")
    # The condition as the search writes it (alliance/indicators/value_search.py).
    statement = select(Indicator.value).where(value_contains(Indicator.value, "igram@"))
    compiled = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    async with world.db.session() as session:
        plan = (await session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))).all()
        found = (await session.scalars(statement)).all()
    # A constrained look-up in the FTS5 index ("INDEX 0:M…"), not a scan of it ("INDEX 0:").
    details = [row[-1] for row in plan]
    assert any(re.search(r"VIRTUAL TABLE INDEX \d+:\S+$", detail) for detail in details), details
    assert found == ["trigram@example.com"]
