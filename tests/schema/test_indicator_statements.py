"""A page costs a constant number of SQL statements, whatever its size (DESIGN §9)."""

from __future__ import annotations

import itertools

from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

PAGE = """query($first: Int!) { indicators(first: $first) { totalCount edges { node {
  id value owner { id name label } brands { name } audience
  corroboration { members sightings { kind count } }
  sightings { kind memberId } links { kind source { id value } target { id owner { label } } }
} } } }"""


async def _statements_for_page(
    api: Api,
    world: World,
    intel: Intel,
    statements: list[str],
    size: int,
    transactions: list[object] | None = None,
) -> int:
    owner = await world.member(region="EU")
    other = await world.member(region="CN")
    records = [
        await intel.indicator(owner, "alliance=FULL" if i % 2 else "alliance=ANONYMOUS")
        for i in range(size)
    ]
    for first, second in itertools.pairwise(records):
        await intel.link(owner, first, second)
        await intel.sighting(other, first)
    token = world.token(await world.user(other))
    statements.clear()
    if transactions is not None:
        transactions.clear()
    data = await api.query(PAGE, {"first": size}, token=token)
    assert len(data["indicators"]["edges"]) == size
    if transactions is not None:  # the bearer check, the reads and the read audit
        assert len(transactions) == 1, statements
    assert all(e["node"]["links"] for e in data["indicators"]["edges"])
    return len(statements)


async def test_a_page_of_50_costs_as_many_statements_as_a_page_of_5_in_one_transaction(
    api: Api, world: World, intel: Intel, statements: list[str], transactions: list[object]
) -> None:
    small = await _statements_for_page(api, world, intel, statements, 5, transactions)
    large = await _statements_for_page(api, world, intel, statements, 50, transactions)

    assert 0 < small == large
    assert large <= 15, statements


async def test_the_count_runs_only_when_total_count_is_asked_for(
    api: Api, world: World, intel: Intel, statements: list[str]
) -> None:
    # given a member's records
    owner = await world.member(region="EU")
    for _ in range(3):
        await intel.indicator(owner, "alliance=FULL")
    token = world.token(await world.user(owner))

    # when a page is asked for without totalCount, then with it (also through a fragment)
    statements.clear()
    page = await api.query("{ indicators(first: 2) { edges { node { id } } } }", token=token)
    without = [s for s in statements if "count(" in s.lower()]
    statements.clear()
    counted = await api.query(
        "{ indicators(first: 2) { ...Total edges { node { id } } } }"
        " fragment Total on IndicatorConnection { totalCount }",
        token=token,
    )
    with_total = [s for s in statements if "count(" in s.lower()]

    # then only the second ran a count, and it counted every record
    assert len(page["indicators"]["edges"]) == 2
    assert without == [], without
    assert len(with_total) == 1
    assert counted["indicators"]["totalCount"] == 3
