"""The secretariat administers membership; it never becomes a member (DESIGN §3, invariant 6).

Alliance admins move members along their status machine, invite people and record brands,
and may narrow in an emergency (revoke a client, deactivate a user). They never obtain or
replace a member's credentials (clients, identity provider), never change who holds power
inside a member (roles), and never set or read a member's sharing policy. What they may not
touch answers exactly like something that does not exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from alliance.clients.models import Client
from alliance.db import Database
from alliance.identity_providers.models import IdentityProvider
from alliance.policies.models import MemberPolicyVersion
from alliance.users import service as user_service
from alliance.users.models import User, UserStatus
from schema.ids import to_global_id
from sharing import MemberStatus, Role
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

CLIENT_CREATE = """mutation($m: ID) { clientCreate(input: {memberId: $m, name: "Backdoor",
  scopes: [INDICATORS_READ]}) { clientSecret client { clientId } errors { code field } } }"""
CLIENT_ROTATE = """mutation($id: ID!) { clientSecretRotate(id: $id) {
  clientSecret errors { code field } } }"""
CLIENT_REVOKE = """mutation($id: ID!) { clientRevoke(id: $id) {
  client { revokedAt } errors { code field } } }"""
CLIENTS = """query($m: ID) { clients(memberId: $m) { clientId } }"""
IDP_REGISTER = """mutation($m: ID) { identityProviderRegister(input: {memberId: $m,
  issuer: "https://idp.secretariat.example", clientId: "rogue", clientSecret: "s3cret",
  emailDomains: ["%s"]}) { identityProvider { issuer } errors { code field } } }"""
IDP = """query($m: ID) { identityProvider(memberId: $m) { issuer } }"""
POLICY_SET = """mutation($m: ID!) { memberPolicySet(input: {memberId: $m,
  ceilings: [{recordType: INDICATOR, audience: "alliance=FULL"}]}) {
  version errors { code field } } }"""
POLICY = """query($m: ID!) { memberPolicy(memberId: $m) { version } }"""
ROLE_SET = """mutation($id: ID!) { userRoleSet(id: $id, roles: [MEMBER_ADMIN]) {
  user { roles } errors { code field } } }"""
DEACTIVATE = """mutation($id: ID!) { userDeactivate(id: $id) {
  user { status } errors { code field } } }"""
NODE = """query($id: ID!) { node(id: $id) { id } }"""

MISSING_MEMBER = [{"code": "NOT_FOUND", "field": "memberId"}]
MISSING_ID = [{"code": "NOT_FOUND", "field": "id"}]


def _payload(data: dict[str, Any]) -> dict[str, Any]:
    (payload,) = data.values()
    result: dict[str, Any] = payload
    return result


async def _count(db: Database, model: type[Any]) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_alliance_admin_cannot_create_a_client_for_a_member(
    api: Api, world: World, db: Database
) -> None:
    # given an active member, and the secretariat's admin
    member = await world.member()
    admin = world.token(await world.alliance_admin())
    clients_before, audit_before = await _count(db, Client), await world.audit_actions()

    # when the admin asks for a client of that member (to read its owner-only records)
    data = await api.query(CLIENT_CREATE, {"m": to_global_id("Member", member.id)}, token=admin)

    # then the member looks missing, no secret is handed out, nothing is stored
    assert _payload(data) == {"clientSecret": None, "client": None, "errors": MISSING_MEMBER}
    assert await _count(db, Client) == clients_before
    assert await world.audit_actions() == audit_before


async def test_an_alliance_admin_cannot_rotate_see_or_list_a_members_clients(
    api: Api, world: World
) -> None:
    member = await world.member()
    client = await world.client(member)
    admin = world.token(await world.alliance_admin())
    client_id = to_global_id("Client", client.id)

    rotated = await api.query(CLIENT_ROTATE, {"id": client_id}, token=admin)
    assert _payload(rotated) == {"clientSecret": None, "errors": MISSING_ID}
    listed = await api.query(CLIENTS, {"m": to_global_id("Member", member.id)}, token=admin)
    assert listed["clients"] == []
    assert (await api.query(NODE, {"id": client_id}, token=admin))["node"] is None
    # the member's own admin still sees it
    own = world.token(await world.admin_of(member))
    listed = await api.query(CLIENTS, {"m": to_global_id("Member", member.id)}, token=own)
    assert listed["clients"] == [{"clientId": client.client_id}]


async def test_an_alliance_admin_may_revoke_a_members_client_in_an_emergency(
    api: Api, world: World
) -> None:
    member = await world.member()
    client = await world.client(member)
    admin = world.token(await world.alliance_admin())
    data = await api.query(CLIENT_REVOKE, {"id": to_global_id("Client", client.id)}, token=admin)
    payload = _payload(data)
    assert payload["errors"] == []
    assert payload["client"]["revokedAt"] is not None
    # and the revoked client's tokens are refused
    response = await api.post("{ viewer { kind } }", token=world.token(client))
    assert response.status_code == 401


async def test_an_alliance_admin_cannot_register_or_read_an_active_members_provider(
    api: Api, world: World, db: Database
) -> None:
    member = await world.member()
    admin = world.token(await world.alliance_admin())
    audit_before = await world.audit_actions()
    data = await api.query(
        IDP_REGISTER % "member.example", {"m": to_global_id("Member", member.id)}, token=admin
    )
    assert _payload(data) == {"identityProvider": None, "errors": MISSING_MEMBER}
    assert await _count(db, IdentityProvider) == 0
    assert await world.audit_actions() == audit_before

    # the member's admin registers its own; the secretariat neither reads nor replaces it
    own = world.token(await world.admin_of(member))
    data = await api.query(
        IDP_REGISTER % "member.example", {"m": to_global_id("Member", member.id)}, token=own
    )
    assert _payload(data)["errors"] == []
    member_id = {"m": to_global_id("Member", member.id)}
    assert (await api.query(IDP, member_id, token=admin))["identityProvider"] is None
    replaced = await api.query(IDP_REGISTER % "member.example", member_id, token=admin)
    assert _payload(replaced)["errors"] == MISSING_MEMBER


async def test_an_alliance_admin_sets_up_an_invited_members_first_provider_only(
    api: Api, world: World
) -> None:
    # given a member still being onboarded (invited, no provider yet): its first admin
    # has no way to log in until the secretariat registers the provider the member gave it
    member = await world.member(status=MemberStatus.INVITED, agreed=False)
    admin = world.token(await world.alliance_admin())
    member_id = {"m": to_global_id("Member", member.id)}
    first = await api.query(IDP_REGISTER % "onboarding.example", member_id, token=admin)
    assert _payload(first)["errors"] == []

    # once one exists, only the member's admins replace it
    again = await api.query(IDP_REGISTER % "onboarding.example", member_id, token=admin)
    assert _payload(again)["errors"] == MISSING_MEMBER
    own = world.token(await world.admin_of(member))
    replaced = await api.query(IDP_REGISTER % "onboarding.example", member_id, token=own)
    assert _payload(replaced)["errors"] == []


async def test_an_alliance_admin_cannot_set_or_read_a_members_policy(
    api: Api, world: World, db: Database
) -> None:
    member = await world.member()
    admin = world.token(await world.alliance_admin())
    member_id = {"m": to_global_id("Member", member.id)}
    data = await api.query(POLICY_SET, member_id, token=admin)
    assert _payload(data) == {"version": None, "errors": MISSING_MEMBER}
    assert await _count(db, MemberPolicyVersion) == 0
    assert (await api.query(POLICY, member_id, token=admin))["memberPolicy"] is None
    # the member's own admin does both
    own = world.token(await world.admin_of(member))
    assert _payload(await api.query(POLICY_SET, member_id, token=own))["version"] == 1
    assert (await api.query(POLICY, member_id, token=own))["memberPolicy"] == {"version": 1}


async def test_an_alliance_admin_cannot_change_roles_inside_a_member(
    api: Api, world: World
) -> None:
    member = await world.member()
    analyst = await world.user(member, Role.ANALYST)
    admin = world.token(await world.alliance_admin())
    data = await api.query(ROLE_SET, {"id": to_global_id("User", analyst.id)}, token=admin)
    assert _payload(data) == {"user": None, "errors": MISSING_ID}
    assert (await world.reload_user(analyst)).roles == [Role.ANALYST.value]


async def test_an_alliance_admin_may_deactivate_a_members_user_in_an_emergency(
    api: Api, world: World
) -> None:
    member = await world.member()
    analyst = await world.user(member, Role.ANALYST)
    admin = world.token(await world.alliance_admin())
    data = await api.query(DEACTIVATE, {"id": to_global_id("User", analyst.id)}, token=admin)
    assert _payload(data) == {"user": {"status": "DEACTIVATED"}, "errors": []}
    assert (await world.reload_user(analyst)).status is UserStatus.DEACTIVATED


async def test_a_member_admin_still_manages_its_own_credentials_and_policy(
    api: Api, world: World
) -> None:
    member = await world.member()
    own = world.token(await world.admin_of(member))
    data = await api.query(CLIENT_CREATE, {"m": to_global_id("Member", member.id)}, token=own)
    assert _payload(data)["errors"] == []
    assert _payload(data)["clientSecret"]


async def test_the_secretariat_manages_its_own_clients(api: Api, world: World) -> None:
    admin = await world.alliance_admin()
    token = world.token(admin)
    data = await api.query(CLIENT_CREATE, {"m": None}, token=token)
    assert _payload(data)["errors"] == []
    listed = await api.query(CLIENTS, {"m": None}, token=token)
    assert listed["clients"] == [{"clientId": _payload(data)["client"]["clientId"]}]


INVITE_ADMIN = """mutation($m: ID) { userInvite(input: {memberId: $m, email: "%s",
  roles: [MEMBER_ADMIN]}) { user { roles } errors { code field } } }"""


async def test_an_alliance_admin_appoints_a_members_admin_only_while_it_has_none(
    api: Api, world: World
) -> None:
    # given an active member with its own admin
    member = await world.member()
    own_admin = await world.admin_of(member)
    admin = world.token(await world.alliance_admin())
    member_id = {"m": to_global_id("Member", member.id)}

    # when the secretariat invites another admin into it (to then deactivate the member's)
    data = await api.query(INVITE_ADMIN % "new-boss@member.example", member_id, token=admin)

    # then it is refused and nobody is added
    assert _payload(data) == {"user": None, "errors": [{"code": "FORBIDDEN", "field": "roles"}]}
    async with world.db.session() as session:
        found = await user_service.by_email(session, "new-boss@member.example")
    assert found is None

    # once the member has no admin left (recovery), the secretariat may appoint one
    async with world.db.transaction() as session:
        stored = await session.get(User, own_admin.id)
        assert stored is not None
        stored.status = UserStatus.DEACTIVATED
    data = await api.query(INVITE_ADMIN % "recovery@member.example", member_id, token=admin)
    assert _payload(data) == {"user": {"roles": ["MEMBER_ADMIN"]}, "errors": []}
