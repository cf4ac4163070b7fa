"""Each principal spends from a budget that refills over time; an empty budget is 429.

Budgets here are tiny and refill slowly (0.001 per second), so what a test reads does not
depend on how long it takes.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.graphql import Api, ApiFactory
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

PAGE_OF_2 = "{ indicators(first: 2) { edges { node { owner { label } } } } }"  # costs 1 + 2 * 3
SMALL = {"cost_budget": 20, "cost_restore_rate": 0.001, "cost_max_per_request": 20}


def available(response: httpx.Response) -> int:
    status: dict[str, Any] = response.json()["extensions"]["cost"]["throttleStatus"]
    return int(status["currentlyAvailable"])


async def _two_records(world: World, intel: Intel) -> str:
    owner = await world.member()
    await intel.indicator(owner)
    await intel.indicator(owner)
    return world.token(await world.user(owner))


async def test_an_exhausted_budget_is_429_with_retry_after_and_nothing_runs(
    api_with: ApiFactory, world: World, intel: Intel, statements: list[str]
) -> None:
    api: Api = await api_with(**SMALL)
    token = await _two_records(world, intel)

    first = await api.post(PAGE_OF_2, token=token)
    second = await api.post(PAGE_OF_2, token=token)
    statements.clear()
    third = await api.post(PAGE_OF_2, token=token)

    assert [available(first), available(second)] == [13, 6]
    assert third.status_code == 429
    body = third.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    assert int(third.headers["retry-after"]) == 1000  # 1 missing at 0.001 per second
    assert body["extensions"]["cost"]["actualQueryCost"] == 0
    assert available(third) == 6
    assert not [s for s in statements if "indicators" in s], "the query ran"


async def test_each_principal_has_its_own_budget(
    api_with: ApiFactory, world: World, intel: Intel
) -> None:
    api = await api_with(**SMALL)
    token = await _two_records(world, intel)
    for _ in range(2):
        await api.post(PAGE_OF_2, token=token)
    colleague = world.token(await world.user(await world.member()))

    answer = await api.post(PAGE_OF_2, token=colleague)

    assert answer.status_code == 200
    assert available(answer) == 20 - 7


async def test_what_a_request_did_not_use_is_given_back(api_with: ApiFactory, world: World) -> None:
    api = await api_with(**SMALL)
    token = world.token(await world.user(await world.member()))  # no records to list

    answers = [await api.post(PAGE_OF_2, token=token) for _ in range(5)]

    assert [a.status_code for a in answers] == [200] * 5
    assert [available(a) for a in answers] == [19, 18, 17, 16, 15]


async def test_two_instances_share_one_budget_through_redis(
    api_with: ApiFactory, world: World, intel: Intel, redis_url: str, redis_prefix: str
) -> None:
    shared = {**SMALL, "redis_url": redis_url, "redis_prefix": redis_prefix}
    one = await api_with(**shared)
    two = await api_with(**shared)
    token = await _two_records(world, intel)

    spent_on_one = await one.post(PAGE_OF_2, token=token)
    seen_on_two = await two.post(PAGE_OF_2, token=token)
    refused_on_one = await one.post(PAGE_OF_2, token=token)

    assert available(spent_on_one) == 13
    assert available(seen_on_two) == 6
    assert refused_on_one.status_code == 429
    assert refused_on_one.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
