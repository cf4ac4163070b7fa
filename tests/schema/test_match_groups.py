"""`match(groups:)`: values grouped by kind and context, answered as `match(values:)` is.

The compact form only changes how values are sent: the same values give the same results
in the same order, an invisible record still looks missing, MATCH_ONLY records still count
without being returned, and each value costs what it costs in the object form.
"""

from __future__ import annotations

from typing import Any

from alliance.config import Settings
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.matching import MAX_MATCH_VALUES
from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

RESULTS = "{ matchKey members indicators { id } error { code field } }"
BY_VALUES = f"query($values: [IndicatorValueInput!]!) {{ match(values: $values) {RESULTS} }}"
BY_GROUPS = f"query($groups: [IndicatorValueGroupInput!]!) {{ match(groups: $groups) {RESULTS} }}"


def cost(body: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = body["extensions"]["cost"]
    return found


async def test_groups_give_the_answers_of_the_object_form_in_the_same_order(
    api: Api, world: World, intel: Intel
) -> None:
    # given records the CN viewer lists, may only match, may not see, or is excluded from
    owner = await world.member(region="EU")
    viewer_member = await world.member(region="CN")
    shared = await intel.indicator(owner, "alliance=FULL", value="shared@seller-shop.com")
    await intel.indicator(owner, "alliance=MATCH_ONLY", value="matchonly@seller-shop.com")
    await intel.indicator(owner, "region:EU=FULL", value="fenced@seller-shop.com")
    await intel.indicator(
        owner, f"alliance=FULL, exclude:{viewer_member.id}", value="excluded@seller-shop.com"
    )
    domain = await intel.indicator(
        owner, "alliance=ANONYMOUS", kind=IndicatorKind.DOMAIN, value="seller-shop.com"
    )
    token = world.token(await world.user(viewer_member))
    emails = [
        "Shared@Seller-Shop.com",
        "matchonly@seller-shop.com",
        "fenced@seller-shop.com",
        "excluded@seller-shop.com",
        "nobody@seller-shop.com",
        "not an address",
    ]
    domains = ["SELLER-SHOP.COM.", "xn--bcher-kva.de", "localhost"]

    # when it matches them one object per value, and grouped by kind
    by_values = await api.query(
        BY_VALUES,
        {
            "values": [{"kind": "EMAIL", "value": v} for v in emails]
            + [{"kind": "DOMAIN", "value": v} for v in domains]
        },
        token=token,
    )
    by_groups = await api.query(
        BY_GROUPS,
        {"groups": [{"kind": "EMAIL", "values": emails}, {"kind": "DOMAIN", "values": domains}]},
        token=token,
    )

    # then both answer the same, value by value in order
    assert by_groups == by_values
    results = by_groups["match"]
    assert results[0]["indicators"] == [{"id": to_global_id("Indicator", shared.id)}]
    assert (results[1]["members"], results[1]["indicators"]) == (1, [])  # MATCH_ONLY
    # invisible (fenced off, excluded) and missing look the same
    for invisible_or_missing in results[2:5]:
        assert {**invisible_or_missing, "matchKey": None} == {
            "matchKey": None,
            "members": 0,
            "indicators": [],
            "error": None,
        }
    assert results[5]["error"] == {"code": "VALIDATION", "field": "value"}
    assert results[6]["indicators"] == [{"id": to_global_id("Indicator", domain.id)}]
    assert results[8]["error"] == {"code": "VALIDATION", "field": "value"}


async def test_a_group_carries_its_context_to_every_value(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))

    data = await api.query(
        BY_GROUPS,
        {
            "groups": [
                {"kind": "SOCIAL_HANDLE", "platform": "INSTAGRAM", "values": ["@LuxDeals", "b"]},
                {"kind": "SELLER_ACCOUNT", "values": ["no-platform"]},
                {"kind": "DOMAIN", "values": []},
            ]
        },
        token=token,
    )

    assert [r["matchKey"] for r in data["match"]] == ["instagram:luxdeals", "instagram:b", None]
    assert data["match"][2]["error"] == {"code": "VALIDATION", "field": "platform"}


async def test_bad_requests_get_an_error_naming_the_argument(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))
    one = [{"kind": "EMAIL", "value": "a@b.example"}]
    group = [{"kind": "EMAIL", "values": ["a@b.example"]}]
    over = [{"kind": "EMAIL", "values": ["a@b.example"] * 600}] * 2
    both = "query($v: [IndicatorValueInput!], $g: [IndicatorValueGroupInput!]) "
    both += "{ match(values: $v, groups: $g) { matchKey } }"

    neither = await api.errors("{ match { matchKey } }", token=token)
    twice = await api.errors(both, {"v": one, "g": group}, token=token)
    too_many = await api.errors(
        "query($g: [IndicatorValueGroupInput!]) { match(groups: $g) { matchKey } }",
        {"g": over},
        token=token,
    )
    unknown_kind = await api.errors(
        BY_GROUPS, {"groups": [{"kind": "NOT_A_KIND", "values": ["x"]}]}, token=token
    )

    assert neither[0]["extensions"] == {"code": "VALIDATION", "field": "values"}
    assert twice[0]["extensions"] == {"code": "VALIDATION", "field": "groups"}
    assert too_many[0]["extensions"] == {"code": "VALIDATION", "field": "groups"}
    assert str(MAX_MATCH_VALUES) in too_many[0]["message"].replace(",", "")
    assert unknown_kind[0]["extensions"]["code"] == "VALIDATION"
    assert "NOT_A_KIND" in unknown_kind[0]["message"]


async def test_grouped_values_cost_what_the_same_values_cost_one_object_each(
    api: Api, world: World
) -> None:
    token = world.token(await world.user(await world.member()))
    values = [f"v{i}@shop.example" for i in range(5)]
    objects = [{"kind": "EMAIL", "value": v} for v in values]
    groups = [{"kind": "EMAIL", "values": values[:2]}, {"kind": "EMAIL", "values": values[2:]}]

    by_values = (await api.post(BY_VALUES, {"values": objects}, token=token)).json()
    by_groups = (await api.post(BY_GROUPS, {"groups": groups}, token=token)).json()

    # each value: a result (1) and its `indicators` list (unbounded: 10) with an `error`
    # object (1) -- the same whichever form carried it
    assert cost(by_groups)["requestedQueryCost"] == cost(by_values)["requestedQueryCost"]
    assert cost(by_groups)["requestedQueryCost"] == 5 * (1 + 10 + 1)


async def test_a_single_group_of_many_values_cannot_slip_under_the_cost_limit(
    api: Api, world: World, settings: Settings, statements: list[str]
) -> None:
    # given a request whose values, one object each, cost over the per-request maximum
    token = world.token(await world.user(await world.member()))
    many = [f"v{i}@shop.example" for i in range(MAX_MATCH_VALUES)]
    per_value = 1 + 10 + 1
    assert len(many) * per_value > settings.cost_max_per_request
    statements.clear()

    # when the same values come as one group (one input object)
    response = await api.post(
        BY_GROUPS, {"groups": [{"kind": "EMAIL", "values": many}]}, token=token
    )

    # then the request is refused before it runs, at the cost of every value
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"
    assert cost(body)["requestedQueryCost"] == len(many) * per_value
    assert not [s for s in statements if "indicators" in s], "the match ran"
