"""`indicatorsStix`: the `indicators` list as a STIX 2.1 bundle, with its visibility."""

from __future__ import annotations

import json
from typing import Any

import stix2
from stix2validator import ValidationOptions, validate_string

from alliance.indicators.kinds import IndicatorKind, Platform
from sharing import Scope
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

EXPORT = """query($first: Int!, $after: String, $filter: IndicatorFilterInput) {
  indicatorsStix(first: $first, after: $after, filter: $filter) {
    bundle pageInfo { hasNextPage endCursor } } }"""


def _indicators(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in bundle["objects"] if o["type"] == "indicator"}


async def test_the_export_holds_what_the_viewer_may_list_and_no_owner_where_anonymous(
    api: Api, world: World, intel: Intel
) -> None:
    # given records of an owner in CN at each level, and one private
    owner = await world.member(region="CN", name="Maison Secrète SA")
    viewer = await world.member(region="EU")
    full = await intel.indicator(owner, "region:EU=FULL")
    anonymous = await intel.indicator(
        owner,
        "region:EU=ANONYMOUS",
        kind=IndicatorKind.SELLER_ACCOUNT,
        value="shop1",
        platform=Platform.TAOBAO,
    )
    await intel.indicator(owner, "alliance=MATCH_ONLY")
    await intel.indicator(owner, "")
    token = world.token(await world.user(viewer))

    # when the viewer exports its list
    data = await api.query(EXPORT, {"first": 10}, token=token)
    bundle = data["indicatorsStix"]["bundle"]

    # then it holds the two listable records, the owner named on the FULL one only
    indicators = _indicators(bundle)
    assert set(indicators) == {f"indicator--{full.id}", f"indicator--{anonymous.id}"}
    assert "created_by_ref" in indicators[f"indicator--{full.id}"]
    assert "created_by_ref" not in indicators[f"indicator--{anonymous.id}"]
    names = {o["name"] for o in bundle["objects"] if o["type"] == "identity"}
    assert names == {"Alliance", "Maison Secrète SA"}
    # and it parses, validates, and its custom observable names a published definition
    document = json.dumps(bundle)
    assert stix2.parse(document, allow_custom=True).type == "bundle"
    result = validate_string(document, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for e in result.errors]
    (seller,) = [o for o in bundle["objects"] if o["type"] == "x-alliance-seller-account"]
    published = {o["id"] for o in bundle["objects"] if o["type"] == "extension-definition"}
    assert set(seller["extensions"]) <= published


async def test_the_export_pages_and_filters_like_indicators(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    emails = {f"indicator--{(await intel.indicator(owner, '')).id}" for _ in range(3)}
    await intel.indicator(owner, "", kind=IndicatorKind.DOMAIN, value="fake-shop.com")
    token = world.token(await world.user(owner))

    seen: set[str] = set()
    after = None
    for _ in range(5):
        variables = {"first": 2, "after": after, "filter": {"kinds": ["EMAIL"]}}
        page = (await api.query(EXPORT, variables, token=token))["indicatorsStix"]
        seen |= set(_indicators(page["bundle"]))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == emails


async def test_the_export_needs_indicators_read_and_costs_its_records(
    api: Api, world: World
) -> None:
    member = await world.member()
    sync_only = world.token(await world.client(member, scopes=(Scope.SYNC,)))
    reader = world.token(await world.user(member))

    errors = await api.errors(EXPORT, {"first": 10}, token=sync_only)
    response = await api.post(EXPORT, {"first": 100}, token=reader)

    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert response.json()["extensions"]["cost"]["requestedQueryCost"] >= 400
