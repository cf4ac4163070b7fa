"""Who may administer what: alliance admins onboard, member admins manage only their own."""

from __future__ import annotations

import pytest

from schema.ids import to_global_id
from sharing import Role, Scope
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

INVITE_MEMBER = """mutation { memberInvite(input: {legalName: "Sneaky SA", region: "EU"}) {
  member { id } errors { code field } } }"""
INVITE_USER = """mutation($member: ID, $roles: [Role!]!) {
  userInvite(input: {memberId: $member, email: "new@x.example", roles: $roles}) {
    user { email roles } errors { code field } } }"""
ROLE_SET = """mutation($id: ID!, $roles: [Role!]!) {
  userRoleSet(id: $id, roles: $roles) { user { roles } errors { code field } } }"""
DEACTIVATE = (
    """mutation($id: ID!) { userDeactivate(id: $id) { user { status } errors { code field } } }"""
)


async def test_member_admin_cannot_onboard_a_member(api: Api, world: World) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    before = await world.audit_actions()
    data = await api.query(INVITE_MEMBER, token=token)
    assert data["memberInvite"] == {
        "member": None,
        "errors": [{"code": "FORBIDDEN", "field": None}],
    }
    assert await world.audit_actions() == before


async def test_member_admin_cannot_suspend_any_member(api: Api, world: World) -> None:
    own, other = await world.member(), await world.member()
    token = world.token(await world.admin_of(own))
    for target in (own, other):
        data = await api.query(
            "mutation($id: ID!) { memberSuspend(id: $id) { errors { code } } }",
            {"id": to_global_id("Member", target.id)},
            token=token,
        )
        assert data["memberSuspend"]["errors"] == [{"code": "FORBIDDEN"}]


async def test_member_admin_manages_own_users_only(api: Api, world: World) -> None:
    own, other = await world.member(), await world.member()
    token = world.token(await world.admin_of(own))
    colleague = await world.user(own, Role.ANALYST)
    stranger = await world.user(other, Role.ANALYST)

    # own member: allowed
    invited = await api.query(
        INVITE_USER, {"member": to_global_id("Member", own.id), "roles": ["ANALYST"]}, token=token
    )
    assert invited["userInvite"] == {
        "user": {"email": "new@x.example", "roles": ["ANALYST"]},
        "errors": [],
    }
    promoted = await api.query(
        ROLE_SET, {"id": to_global_id("User", colleague.id), "roles": ["READ_ONLY"]}, token=token
    )
    assert promoted["userRoleSet"] == {"user": {"roles": ["READ_ONLY"]}, "errors": []}

    # another member: the user and member look missing, and nothing changes
    before = await world.audit_actions()
    foreign_invite = await api.query(
        INVITE_USER, {"member": to_global_id("Member", other.id), "roles": ["ANALYST"]}, token=token
    )
    assert foreign_invite["userInvite"]["errors"] == [{"code": "NOT_FOUND", "field": "memberId"}]
    for query, variables in [
        (ROLE_SET, {"id": to_global_id("User", stranger.id), "roles": ["MEMBER_ADMIN"]}),
        (DEACTIVATE, {"id": to_global_id("User", stranger.id)}),
    ]:
        data = await api.query(query, variables, token=token)
        (payload,) = data.values()
        assert payload["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
        assert payload["user"] is None
    assert await world.audit_actions() == before


async def test_member_admin_cannot_create_alliance_admins(api: Api, world: World) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    colleague = await world.user(member, Role.ANALYST)
    data = await api.query(
        ROLE_SET,
        {"id": to_global_id("User", colleague.id), "roles": ["ALLIANCE_ADMIN"]},
        token=token,
    )
    assert data["userRoleSet"]["errors"] == [{"code": "VALIDATION", "field": "roles"}]
    secretariat = await api.query(
        INVITE_USER, {"member": None, "roles": ["ALLIANCE_ADMIN"]}, token=token
    )
    assert secretariat["userInvite"]["errors"] == [{"code": "NOT_FOUND", "field": "memberId"}]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.READ_ONLY])
async def test_analysts_and_readers_cannot_change_roles(api: Api, world: World, role: Role) -> None:
    member = await world.member()
    caller = await world.user(member, role)
    colleague = await world.user(member, Role.ANALYST)
    data = await api.query(
        ROLE_SET,
        {"id": to_global_id("User", colleague.id), "roles": ["MEMBER_ADMIN"]},
        token=world.token(caller),
    )
    assert data["userRoleSet"] == {"user": None, "errors": [{"code": "FORBIDDEN", "field": None}]}


async def test_a_token_narrowed_to_read_scopes_cannot_administer(api: Api, world: World) -> None:
    # given a member admin whose token only carries indicators:read
    member = await world.member()
    token = world.token(await world.admin_of(member), scopes=[Scope.INDICATORS_READ])
    data = await api.query(
        INVITE_USER,
        {"member": to_global_id("Member", member.id), "roles": ["ANALYST"]},
        token=token,
    )
    assert data["userInvite"]["errors"] == [{"code": "FORBIDDEN", "field": None}]


async def test_alliance_admin_onboards_users_of_any_member(api: Api, world: World) -> None:
    member = await world.member()
    token = world.token(await world.alliance_admin())
    data = await api.query(
        INVITE_USER,
        {"member": to_global_id("Member", member.id), "roles": ["ANALYST"]},
        token=token,
    )
    assert data["userInvite"]["errors"] == []


async def test_the_last_member_admin_cannot_be_removed(api: Api, world: World) -> None:
    member = await world.member()
    admin = await world.admin_of(member)
    token = world.token(admin)
    demoted = await api.query(
        ROLE_SET, {"id": to_global_id("User", admin.id), "roles": ["ANALYST"]}, token=token
    )
    assert demoted["userRoleSet"]["errors"] == [{"code": "ILLEGAL_TRANSITION", "field": "id"}]
    gone = await api.query(DEACTIVATE, {"id": to_global_id("User", admin.id)}, token=token)
    assert gone["userDeactivate"]["errors"] == [{"code": "ILLEGAL_TRANSITION", "field": "id"}]
