"""Errors about the request itself carry the code VALIDATION; an unknown enum value is
answered with the values that exist."""

from __future__ import annotations

import pytest

from schema.ids import to_global_id
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

SIGHTING = "mutation($input: SightingAddInput!) { sightingAdd(input: $input) { errors { code } } }"
KINDS = ["SEEN", "FALSE_POSITIVE", "TAKEN_DOWN"]


async def test_an_unknown_enum_value_lists_the_valid_ones(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    as_variable = await api.errors(
        SIGHTING, {"input": {"indicatorId": "x", "kind": "seen"}}, token=token
    )
    as_literal = await api.errors(
        'mutation { sightingAdd(input: {indicatorId: "x", kind: SEEN_IT}) { errors { code } } }',
        token=token,
    )
    for [error] in (as_variable, as_literal):
        assert error["extensions"]["code"] == "VALIDATION"
        assert error["extensions"]["validValues"] == KINDS
        assert "SEEN, FALSE_POSITIVE, TAKEN_DOWN" in error["message"]


async def test_wrong_types_and_syntax_are_validation_errors(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    wrong_type = await api.errors(SIGHTING, {"input": {"indicatorId": "x", "kind": 3}}, token=token)
    wrong_variable = await api.errors(
        "mutation($id: Int!) { sightingAdd(input: {indicatorId: $id, kind: SEEN}) { errors { code } } }",
        {"id": 1},
        token=token,
    )
    syntax = await api.errors("{ viewer { kind ", token=token)
    unknown_field = await api.errors("{ viewer { shoeSize } }", token=token)
    for errors in (wrong_type, wrong_variable, syntax, unknown_field):
        assert [e.get("extensions", {}).get("code") for e in errors] == ["VALIDATION"], errors


async def test_an_optional_argument_left_out_is_not_an_internal_error(
    api: Api, world: World, intel: Intel
) -> None:
    # given an analyst's own indicator
    member = await world.member()
    token = world.token(await world.user(member, Role.ANALYST))
    indicator = await intel.indicator(member, "region:EU=FULL")

    # when it shares it without naming an audience (the policy's default)
    data = await api.query(
        "mutation($id: ID!) { indicatorShare(id: $id) { errors { code field } } }",
        {"id": to_global_id("Indicator", indicator.id)},
        token=token,
    )

    # then the call is answered, not masked as INTERNAL
    assert data["indicatorShare"]["errors"] == []


BIG = "1" * 5000


@pytest.mark.parametrize(
    "query",
    [
        "{ indicators(first: BIG) { edges { cursor } } }".replace("BIG", BIG),
        "query($a: Int = BIG) { indicators(first: $a) { edges { cursor } } }".replace("BIG", BIG),
        'query($a: String = "x", $b: [Int] = [BIG]) { viewer { kind } }'.replace("BIG", BIG),
    ],
    ids=["literal", "variable-default", "unused-default"],
)
async def test_a_number_too_large_to_read_is_a_validation_error(
    api: Api, world: World, query: str
) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    errors = await api.errors(query, token=token)
    assert {error["extensions"]["code"] for error in errors} == {"VALIDATION"}
