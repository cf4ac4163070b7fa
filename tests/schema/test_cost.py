"""The cost of a request is computed before it runs, bounded, and reported on every answer.

Cost (docs/limits.md): an object is 1, a scalar 0, a list multiplies its items by its
size (`first`, the length of a list argument, or 10 for unbounded lists), a mutation
adds 10; a request that does not run costs 1.
"""

from __future__ import annotations

from typing import Any

import pytest

from alliance.config import Settings
from sharing import Scope
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.schema.bulk import UPSERT, email_item, statuses

NESTED = """edges { node { id value owner { label } brands { name } sightings { kind at }
  links { kind source { id } target { id } } corroboration { members sightings { kind count } }
} }"""
# The attack of issue 7: 30 aliases of a full page, each with the whole nested graph.
ATTACK = "{ " + " ".join(f"a{i}: indicators(first: 100) {{ {NESTED} }}" for i in range(30)) + " }"
ATTACK_COST = 30 * (1 + 100 * (1 + 1 + 1 + 10 + 20 + 10 * 3 + 1 + 10))  # 20 sightings

ANALYST_PAGE = """{ indicators(first: 50) { edges { node {
  value owner { label } brands { name } corroboration { members } } } } }"""
PAGE_OF_N = "query($n: Int!) { indicators(first: $n) { edges { node { owner { label } } } } }"


def cost(body: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = body["extensions"]["cost"]
    return found


async def test_the_alias_attack_is_refused_before_it_runs_with_its_cost_and_the_maximum(
    api: Api, world: World, intel: Intel, settings: Settings, statements: list[str]
) -> None:
    owner = await world.member()
    await intel.indicator(owner)
    token = world.token(await world.user(owner))
    statements.clear()

    response = await api.post(ATTACK, token=token)

    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert f"{ATTACK_COST:,}" in error["message"]
    assert f"{settings.cost_max_per_request:,}" in error["message"]
    assert cost(body)["requestedQueryCost"] == ATTACK_COST
    assert cost(body)["actualQueryCost"] == 1
    assert not [s for s in statements if "indicators" in s], "the query ran"


async def test_an_analyst_page_of_50_runs_and_reports_its_cost(
    api: Api, world: World, intel: Intel, settings: Settings
) -> None:
    owner = await world.member()
    for _ in range(3):
        await intel.indicator(owner)
    token = world.token(await world.user(owner))

    response = await api.post(ANALYST_PAGE, token=token)

    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body
    assert len(body["data"]["indicators"]["edges"]) == 3
    assert cost(body)["requestedQueryCost"] == 1 + 50 * (1 + 1 + 1 + 10 + 1)
    assert cost(body)["actualQueryCost"] == 1 + 3 * (1 + 1 + 1 + 1)  # no brands named
    status = cost(body)["throttleStatus"]
    assert status["maximumAvailable"] == settings.cost_budget
    assert status["restoreRate"] == settings.cost_restore_rate
    assert 0 <= status["currentlyAvailable"] <= settings.cost_budget  # refills at 1,000/s


async def test_the_page_size_comes_from_the_variables(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))

    small = await api.post(PAGE_OF_N, {"n": 1}, token=token)
    large = await api.post(PAGE_OF_N, {"n": 100}, token=token)

    assert cost(small.json())["requestedQueryCost"] == 1 + 1 * 3
    assert cost(large.json())["requestedQueryCost"] == 1 + 100 * 3


async def test_the_page_size_of_a_variable_left_out_is_the_operations_default(
    api: Api, world: World
) -> None:
    # The cost reads the variables as sent: one left out takes the operation's default,
    # not the field's (50), nor nothing.
    token = world.token(await world.user(await world.member()))
    query = PAGE_OF_N.replace("$n: Int!", "$n: Int = 100")

    body = (await api.post(query, {}, token=token)).json()

    assert cost(body)["requestedQueryCost"] == 1 + 100 * 3


async def test_a_page_size_sent_as_an_integral_float_counts_as_that_integer(
    api: Api, world: World
) -> None:
    # GraphQL's Int takes 100.0 as 100: the cost must count the page it will be.
    token = world.token(await world.user(await world.member()))

    body = (await api.post(PAGE_OF_N, {"n": 100.0}, token=token)).json()

    assert "errors" not in body, body
    assert cost(body)["requestedQueryCost"] == 1 + 100 * 3


async def test_mutations_cost_too_and_report_it(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))
    query = """mutation { sightingAdd(input: {indicatorId: "nope", kind: SEEN}) {
      sighting { id } errors { code } } }"""

    body = (await api.post(query, token=token)).json()

    assert body["data"]["sightingAdd"]["errors"]
    assert cost(body)["requestedQueryCost"] == 10 + 1 + 1 + 10
    assert cost(body)["actualQueryCost"] == 10 + 1 + 1  # no sighting, one error


async def test_an_invalid_query_reports_its_cost_too(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))

    body = (await api.post("{ noSuchField }", token=token)).json()

    assert body["errors"]
    assert cost(body)["requestedQueryCost"] == 1
    assert cost(body)["actualQueryCost"] == 1
    assert "throttleStatus" in cost(body)


@pytest.mark.parametrize(
    ("query", "requested"),
    [
        ("{ viewer { kind } }", 1),
        ("{ __typename }", 1),  # the minimum
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', 3),
        (
            '{ match(values: [{kind: EMAIL, value: "a@b.example"}, {kind: EMAIL, value: "c@d.example"}])'
            " { members indicators { id } } }",
            2 * (1 + 10),
        ),
        (
            '{ node(id: "x") { ... on Indicator { owner { label } } ...M } }'
            " fragment M on Member { brands { name } }",
            1 + 1 + 10,
        ),
        ('{ infringerNetwork(id: "x") { indicators { id } links { id } } }', 1 + 200 + 200),
        ("{ members { edges { node { brands { name } } } } }", 1 + 50 * (1 + 1 + 10)),
        (
            "{ indicators(first: 2) { pageInfo { hasNextPage } edges { node { links { source"
            " { sightings { kind } } } } } } }",
            1 + 1 + 2 * (1 + 1 + 10 * (1 + 1 + 20)),  # at most 20 sightings each
        ),
    ],
)
async def test_the_requested_cost_follows_the_documented_formula(
    api: Api, world: World, query: str, requested: int
) -> None:
    token = world.token(await world.user(await world.member()))

    body = (await api.post(query, token=token)).json()

    assert cost(body)["requestedQueryCost"] == requested, body


async def test_an_alias_beginning_with_two_underscores_is_refused(api: Api, world: World) -> None:
    # an answer's `__` keys are introspection, which costs nothing: an alias passing as
    # one would have the page it asked for refunded
    token = world.token(await world.user(await world.member()))
    errors = await api.errors("{ __page: indicators(first: 100) { totalCount } }", token=token)
    assert [e["extensions"]["code"] for e in errors] == ["VALIDATION"]
    assert "__page" in errors[0]["message"]


async def test_a_piled_up_list_of_sightings_costs_no_more_than_its_bound(
    api: Api, world: World, intel: Intel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a record that members have sighted more often than one page of sightings holds
    from alliance.indicators import sightings

    monkeypatch.setattr(sightings, "MAX_PER_INDICATOR", 5)
    owner = await world.member()
    record = await intel.indicator(owner)
    for _ in range(8):
        await intel.sighting(owner, record)
    token = world.token(await world.user(owner))

    # when a reader asks for its sightings
    body = (
        await api.post(
            "{ indicators(first: 1) { edges { node { sightings { at } } } } }", token=token
        )
    ).json()

    # then it gets the newest ones up to the bound, whatever was piled up
    [edge] = body["data"]["indicators"]["edges"]
    assert len(edge["node"]["sightings"]) == 5
    ats = [s["at"] for s in edge["node"]["sightings"]]
    assert ats == sorted(ats, reverse=True)


async def test_a_bulk_upsert_costs_one_point_per_hundred_items(api: Api, world: World) -> None:
    # A member system syncs at the rate the budget allows: at 1 point per item, a
    # budget refilling 1,000 points a second held it to 1,000 records a second.
    member = await world.member()
    token = world.token(await world.client(member, [Scope.SYNC]))
    items = [email_item(f"seller{n}@example.com", externalId=f"x-{n}") for n in range(450)]

    response = await api.post(UPSERT, {"input": {"items": items}}, token=token)

    body = response.json()
    assert statuses(body["data"]["indicatorsUpsert"]) == ["CREATED"] * 450
    # requested: 1 payload + up to 450 results + up to 450 errors, 1 point per 100
    # objects (rounded up), and 10 for the mutation; actual: 1 payload + 450 results
    assert cost(body)["requestedQueryCost"] == 10 + 10
    assert cost(body)["actualQueryCost"] == 5 + 10
