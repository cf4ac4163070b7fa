"""The member directory and `node`: who sees which members, and nothing leaks by id."""

from __future__ import annotations

import uuid

import pytest

from alliance.agreements import service as agreement_service
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER, MemberStatus, Role
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

DIRECTORY = "query($first: Int, $after: String) { members(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { legalName } } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Member { legalName } } }"


async def _names(api: Api, token: str) -> list[str]:
    data = await api.query(DIRECTORY, {"first": 100}, token=token)
    return [e["node"]["legalName"] for e in data["members"]["edges"]]


async def _alliance(world: World) -> dict[str, object]:
    return {
        "active": await world.member("Active A SA", region="EU"),
        "active2": await world.member("Active B Inc", region="AMER"),
        "invited": await world.member("Invited C Ltd", status=MemberStatus.INVITED, agreed=False),
        "suspended": await world.member(
            "Suspended D KK", region="APAC", status=MemberStatus.SUSPENDED
        ),
        "offboarded": await world.member("Gone E AG", status=MemberStatus.OFFBOARDED),
    }


async def test_an_active_member_sees_active_members_only(api: Api, world: World) -> None:
    members = await _alliance(world)
    analyst = await world.user(members["active"], Role.ANALYST)  # type: ignore[arg-type]
    assert await _names(api, world.token(analyst)) == ["Active A SA", "Active B Inc"]


async def test_an_invited_member_sees_only_itself(api: Api, world: World) -> None:
    members = await _alliance(world)
    admin = await world.admin_of(members["invited"])  # type: ignore[arg-type]
    assert await _names(api, world.token(admin)) == ["Invited C Ltd"]


async def test_a_member_that_has_not_accepted_the_new_agreement_sees_only_itself(
    api: Api, world: World
) -> None:
    members = await _alliance(world)
    analyst = await world.user(members["active"], Role.ANALYST)  # type: ignore[arg-type]
    async with world.db.transaction() as session:
        await agreement_service.publish(
            session, viewer=SYSTEM_VIEWER, text="Version two of the agreement."
        )
    assert await _names(api, world.token(analyst)) == ["Active A SA"]


async def test_alliance_admins_see_every_member(api: Api, world: World) -> None:
    await _alliance(world)
    admin = world.token(await world.alliance_admin())
    assert await _names(api, admin) == [
        "Active A SA",
        "Active B Inc",
        "Gone E AG",
        "Invited C Ltd",
        "Suspended D KK",
    ]


async def test_pages_follow_cursors_and_count_only_what_is_visible(api: Api, world: World) -> None:
    for index in range(5):
        await world.member(f"Page {index} SA")
    await world.member("Hidden SA", status=MemberStatus.SUSPENDED)
    token = world.token(await world.user(await world.member("Zulu SA"), Role.ANALYST))
    seen: list[str] = []
    after = None
    while True:
        data = (await api.query(DIRECTORY, {"first": 2, "after": after}, token=token))["members"]
        assert data["totalCount"] == 6
        seen += [e["node"]["legalName"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == [f"Page {i} SA" for i in range(5)] + ["Zulu SA"]


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"first": 101}, "first"), ({"first": -1}, "first"), ({"after": "garbage"}, "after")],
)
async def test_bad_paging_arguments_name_the_field(
    api: Api, world: World, variables: dict[str, object], field: str
) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    errors = await api.errors(DIRECTORY, variables, token=token)
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in errors] == [
        ("VALIDATION", field)
    ]


async def test_an_invisible_member_and_a_missing_one_look_the_same(api: Api, world: World) -> None:
    members = await _alliance(world)
    token = world.token(await world.user(members["active"], Role.ANALYST))  # type: ignore[arg-type]
    suspended = to_global_id("Member", members["suspended"].id)  # type: ignore[attr-defined]
    missing = to_global_id("Member", uuid.uuid4())
    answers = [
        (await api.post(NODE, {"id": node_id}, token=token)).json()
        for node_id in (suspended, missing, "not-an-id", to_global_id("Nothing", uuid.uuid4()))
    ]
    for answer in answers:
        del answer["extensions"]["cost"]["throttleStatus"]  # the budget left, as time passes
    same = answers[0]["extensions"]["cost"]
    assert answers == [{"data": {"node": None}, "extensions": {"cost": same}}] * 4
    visible = to_global_id("Member", members["active2"].id)  # type: ignore[attr-defined]
    found = await api.query(NODE, {"id": visible}, token=token)
    assert found["node"] == {"id": visible, "legalName": "Active B Inc"}


async def test_users_of_a_member_are_shown_only_to_its_admins(api: Api, world: World) -> None:
    own, other = await world.member("Own SA"), await world.member("Other SA")
    analyst = await world.user(own, Role.ANALYST)
    query = "{ members { edges { node { legalName users { email } } } } }"
    as_admin = await api.query(query, token=world.token(await world.admin_of(own)))
    as_analyst = await api.query(query, token=world.token(analyst))
    users_seen_by_admin = {
        e["node"]["legalName"]: e["node"]["users"] for e in as_admin["members"]["edges"]
    }
    assert users_seen_by_admin["Other SA"] is None
    assert analyst.email in [u["email"] for u in users_seen_by_admin["Own SA"]]
    assert all(e["node"]["users"] is None for e in as_analyst["members"]["edges"])
    other_user = await world.user(other, Role.ANALYST)
    node = await api.query(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": to_global_id("User", other_user.id)},
        token=world.token(await world.admin_of(own)),
    )
    assert node["node"] is None


async def test_directory_costs_the_same_statements_for_3_or_12_members(
    api: Api, world: World, statements: list[str]
) -> None:
    token = world.token(await world.alliance_admin())
    query = "{ members(first: 50) { totalCount edges { node { legalName region { code } brands { name } users { email } } } } }"
    counts = []
    for total in (3, 12):
        while len(await _names(api, token)) < total:
            await world.member()
        statements.clear()
        await api.query(query, token=token)
        counts.append(len(statements))
    assert 0 < counts[0] == counts[1]
