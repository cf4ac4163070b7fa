"""Audiences, policies and filters name regions and members that exist, or the call is a
VALIDATION error naming the field; nothing of a refused call is stored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from alliance.db import Database
from alliance.indicators.models import Indicator
from alliance.policies.models import MemberPolicyVersion
from schema.ids import to_global_id
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

CREATE = """mutation($input: IndicatorCreateInput!) {
  indicatorCreate(input: $input) { errors { code field message } indicator { id } } }"""
POLICY = """mutation($input: MemberPolicySetInput!) {
  memberPolicySet(input: $input) { errors { code field message } version } }"""
LIST = """query($filter: IndicatorFilterInput) {
  indicators(filter: $filter) { edges { node { value } } } }"""


async def count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return (await session.scalar(select(func.count()).select_from(model))) or 0


def email_input(**fields: Any) -> dict[str, Any]:
    return {
        "value": {"kind": "EMAIL", "value": f"{uuid.uuid4().hex[:8]}@shop-example.com"},
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"audience": f"member:{uuid.uuid4()}=FULL"}, "audience"),
        ({"audience": f"alliance=FULL, exclude:{uuid.uuid4()}"}, "audience"),
        ({"audience": "region:ATLANTIS=FULL"}, "audience"),
        ({"personalDataRegion": "MARS"}, "personalDataRegion"),
    ],
    ids=["member", "exclude", "region", "personal-data-region"],
)
async def test_a_write_naming_what_does_not_exist_is_refused(
    api: Api, world: World, db: Database, fields: dict[str, Any], field: str
) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    data = await api.query(CREATE, {"input": email_input(**fields)}, token=token)
    [error] = data["indicatorCreate"]["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", field), error
    assert await count(db, Indicator) == 0


async def test_existing_targets_and_a_lower_case_region_are_accepted(
    api: Api, world: World, db: Database
) -> None:
    other = await world.member(region="CN")
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    audience = f"member:{other.id}=FULL, region:apac=ANONYMOUS"
    data = await api.query(
        CREATE, {"input": email_input(audience=audience, personalDataRegion="eu")}, token=token
    )
    assert data["indicatorCreate"]["errors"] == []
    async with db.session() as session:
        assert await session.scalar(select(Indicator.personal_data_region)) == "EU"


async def test_sharing_with_a_member_that_does_not_exist_is_refused(
    api: Api, world: World, intel: Intel
) -> None:
    member = await world.member()
    token = world.token(await world.user(member, Role.ANALYST))
    indicator = await intel.indicator(member, "region:EU=FULL")
    data = await api.query(
        "mutation($id: ID!, $a: String) { indicatorShare(id: $id, audience: $a) {"
        " errors { code field } } }",
        {"id": to_global_id("Indicator", indicator.id), "a": f"member:{uuid.uuid4()}=FULL"},
        token=token,
    )
    assert data["indicatorShare"]["errors"] == [{"code": "VALIDATION", "field": "audience"}]


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"fences": [{"dataRegion": "EU", "toRegion": "MARS"}]}, "fences"),
        ({"fences": [{"dataRegion": "XX", "toRegion": "CN"}]}, "fences"),
        ({"standingExcludes": [to_global_id("Member", uuid.uuid4())]}, "standingExcludes"),
        (
            {"defaults": [{"recordType": "INDICATOR", "audience": "region:XX=FULL"}]},
            "defaults",
        ),
        (
            {"ceilings": [{"recordType": "INDICATOR", "audience": f"member:{uuid.uuid4()}=FULL"}]},
            "ceilings",
        ),
    ],
    ids=["fence-to", "fence-from", "standing-exclude", "default", "ceiling"],
)
async def test_a_policy_naming_what_does_not_exist_is_refused(
    api: Api, world: World, db: Database, policy: dict[str, Any], field: str
) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    data = await api.query(
        POLICY, {"input": {"memberId": to_global_id("Member", member.id), **policy}}, token=token
    )
    [error] = data["memberPolicySet"]["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", field), error
    assert await count(db, MemberPolicyVersion) == 0


async def test_an_unknown_owner_region_filter_lists_the_regions(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    [error] = await api.errors(LIST, {"filter": {"ownerRegion": "Europe"}}, token=token)
    assert error["extensions"]["code"] == "VALIDATION"
    assert error["extensions"]["field"] == "ownerRegion"
    assert "AMER, APAC, CN, EU" in error["message"]


async def test_a_lower_case_owner_region_filter_finds_the_records(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    await intel.indicator(owner, "alliance=FULL", value="seller@shop-example.com")
    token = world.token(await world.user(await world.member(region="CN"), Role.ANALYST))
    data = await api.query(LIST, {"filter": {"ownerRegion": "eu"}}, token=token)
    assert [e["node"]["value"] for e in data["indicators"]["edges"]] == ["seller@shop-example.com"]


async def test_an_unknown_platform_filter_lists_the_platforms(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    [error] = await api.errors(LIST, {"filter": {"platform": "Amazon"}}, token=token)
    assert error["extensions"]["code"] == "VALIDATION"
    assert "AMAZON" in error["extensions"]["validValues"]
