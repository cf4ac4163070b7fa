"""Member admins and alliance admins manage OAuth clients through GraphQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from authlib.integrations.httpx_client import OAuthError  # type: ignore[import-untyped]
from sqlalchemy import select

from alliance.clients.models import Client
from alliance.db import Database
from schema.ids import to_global_id
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.oauth import TOKEN_URL, third_party
from tests.fixtures.world import World

CREATE = """
mutation($input: ClientCreateInput!) {
  clientCreate(input: $input) {
    errors { code field message }
    clientSecret
    client { id clientId name scopes public redirectUris revokedAt }
  }
}"""
ROTATE = """mutation($id: ID!) { clientSecretRotate(id: $id) {
  errors { code field } clientSecret client { clientId } } }"""
REVOKE = """mutation($id: ID!) { clientRevoke(id: $id) {
  errors { code field } client { revokedAt } } }"""


def _input(member_id: str | None, scopes: list[str], **extra: Any) -> dict[str, Any]:
    return {"input": {"memberId": member_id, "name": "Case tool", "scopes": scopes, **extra}}


async def _token(app: Any, client_id: str, secret: str) -> dict[str, Any]:
    async with third_party(app, client_id, secret) as oauth:
        token: dict[str, Any] = await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials")
        return token


async def test_a_member_admin_creates_a_client_whose_secret_is_shown_once_and_works(
    api: Api, world: World, db: Database, app_for: Any
) -> None:
    member = await world.member()
    admin = await world.admin_of(member)
    member_id = to_global_id("Member", member.id)
    data = await api.query(CREATE, _input(member_id, ["INDICATORS_READ"]), token=world.token(admin))
    created = data["clientCreate"]
    assert created["errors"] == []
    secret, client_id = created["clientSecret"], created["client"]["clientId"]
    assert created["client"]["scopes"] == ["INDICATORS_READ"]
    assert created["client"]["public"] is False
    async with db.session() as session:
        stored = await session.scalar(select(Client).where(Client.client_id == client_id))
    assert stored is not None
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert (await _token(app_for(db), client_id, secret))["scope"] == "indicators:read"
    listed = await api.query(
        "query($m: ID) { clients(memberId: $m) { clientId } }",
        {"m": member_id},
        token=world.token(admin),
    )
    assert listed == {"clients": [{"clientId": client_id}]}


async def test_a_member_client_cannot_exceed_what_member_admins_may_grant(
    api: Api, world: World
) -> None:
    member = await world.member()
    admin = await world.admin_of(member)
    variables = _input(to_global_id("Member", member.id), ["INDICATORS_READ", "MEMBERS_MANAGE"])
    data = await api.query(CREATE, variables, token=world.token(admin))
    assert data["clientCreate"]["errors"] == [
        {
            "code": "VALIDATION",
            "field": "scopes",
            "message": "A member's client cannot hold: members:manage.",
        }
    ]
    assert data["clientCreate"]["client"] is None


async def test_member_admins_manage_only_their_own_members_clients(api: Api, world: World) -> None:
    mine, theirs = await world.member(), await world.member()
    token = world.token(await world.admin_of(mine))
    for member_id in (to_global_id("Member", theirs.id), None):
        data = await api.query(CREATE, _input(member_id, ["INDICATORS_READ"]), token=token)
        assert data["clientCreate"]["errors"][0]["code"] == "NOT_FOUND"
    analyst = await world.user(mine, Role.ANALYST)
    variables = _input(to_global_id("Member", mine.id), ["INDICATORS_READ"])
    data = await api.query(CREATE, variables, token=world.token(analyst))
    assert data["clientCreate"]["errors"][0]["code"] == "FORBIDDEN"


async def test_alliance_admins_manage_secretariat_clients_with_admin_scopes(
    api: Api, world: World, db: Database, app_for: Any
) -> None:
    token = world.token(await world.alliance_admin())
    data = await api.query(CREATE, _input(None, ["ALLIANCE_ADMIN", "MEMBERS_MANAGE"]), token=token)
    created = data["clientCreate"]
    assert created["errors"] == []
    granted = await _token(app_for(db), created["client"]["clientId"], created["clientSecret"])
    assert granted["scope"] == "alliance:admin members:manage"


async def test_rotating_a_secret_retires_the_old_one(
    api: Api, world: World, db: Database, app_for: Any
) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    variables = _input(to_global_id("Member", member.id), ["INDICATORS_READ"])
    created = (await api.query(CREATE, variables, token=token))["clientCreate"]
    rotated = (await api.query(ROTATE, {"id": created["client"]["id"]}, token=token))[
        "clientSecretRotate"
    ]
    assert rotated["errors"] == []
    assert rotated["clientSecret"] != created["clientSecret"]
    client_id = created["client"]["clientId"]
    with pytest.raises(OAuthError, match="invalid_client"):
        await _token(app_for(db), client_id, created["clientSecret"])
    assert await _token(app_for(db), client_id, rotated["clientSecret"])


async def test_a_revoked_client_gets_no_tokens_and_its_tokens_are_refused(
    api: Api, world: World, db: Database, app_for: Any
) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    variables = _input(to_global_id("Member", member.id), ["INDICATORS_READ"])
    created = (await api.query(CREATE, variables, token=token))["clientCreate"]
    client_id, secret = created["client"]["clientId"], created["clientSecret"]
    access = (await _token(app_for(db), client_id, secret))["access_token"]
    assert (await api.post("{ viewer { kind } }", token=access)).status_code == 200

    revoked = await api.query(REVOKE, {"id": created["client"]["id"]}, token=token)
    assert revoked["clientRevoke"]["client"]["revokedAt"] is not None

    assert (await api.post("{ viewer { kind } }", token=access)).status_code == 401
    with pytest.raises(OAuthError, match="invalid_client"):
        await _token(app_for(db), client_id, secret)
    again = await api.query(ROTATE, {"id": created["client"]["id"]}, token=token)
    assert again["clientSecretRotate"]["errors"] == [{"code": "ILLEGAL_TRANSITION", "field": "id"}]
