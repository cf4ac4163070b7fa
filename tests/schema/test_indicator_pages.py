"""Paging and ordering the indicator list: every visible record once, in order."""

from __future__ import annotations

import pytest

from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

PAGE = """query($after: String, $order: IndicatorOrder!) {
  indicators(first: 2, after: $after, order: $order) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { value confidence lastSeen } } } }"""


@pytest.mark.parametrize(
    ("order", "key", "descending"),
    [
        ("VALUE_ASC", "value", False),
        ("CONFIDENCE_DESC", "confidence", True),
        ("LAST_SEEN_DESC", "lastSeen", True),
    ],
)
async def test_pages_walk_every_visible_record_once_in_order(
    api: Api, world: World, intel: Intel, order: str, key: str, descending: bool
) -> None:
    owner = await world.member()
    for confidence in (10, 90, 50, 70, 30):
        await intel.indicator(owner, "alliance=ANONYMOUS", confidence=confidence)
    await intel.indicator(owner, "region:CN=FULL")  # invisible to the EU reader
    token = world.token(await world.user(await world.member(region="EU")))
    seen: list[dict[str, object]] = []
    after = None
    while True:
        data = (await api.query(PAGE, {"after": after, "order": order}, token=token))["indicators"]
        assert data["totalCount"] == 5
        seen += [edge["node"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]

    assert len(seen) == 5
    assert len({str(node["value"]) for node in seen}) == 5
    keys = [node[key] for node in seen]
    assert keys == sorted(keys, reverse=descending)  # type: ignore[type-var]


async def test_a_cursor_the_service_did_not_issue_is_a_field_error(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))

    errors = await api.errors(
        '{ indicators(after: "bm90LWEtY3Vyc29y") { totalCount } }', token=token
    )

    assert errors[0]["extensions"] == {"code": "VALIDATION", "field": "after"}
