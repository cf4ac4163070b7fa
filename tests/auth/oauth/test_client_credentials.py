"""A member system gets tokens by client credentials with a third-party client (authlib)."""

from __future__ import annotations

from typing import Any

import pytest
from authlib.integrations.httpx_client import OAuthError  # type: ignore[import-untyped]

from alliance.db import Database
from sharing import MemberStatus, Scope
from tests.fixtures.graphql import Api
from tests.fixtures.oauth import TOKEN_URL, register, third_party
from tests.fixtures.world import World

VIEWER = {"query": "{ viewer { kind member { legalName } } }"}


async def test_a_member_system_gets_a_token_and_calls_graphql(
    db: Database, world: World, app_for: Any
) -> None:
    member = await world.member("Maison Test SA")
    client, secret = await register(db, member, [Scope.INDICATORS_READ, Scope.SYNC])
    async with third_party(app_for(db), client.client_id, secret) as oauth:
        token = await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials")
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 600
        assert token["scope"] == "indicators:read sync"
        assert "refresh_token" not in token
        response = await oauth.post("/graphql", json=VIEWER)
    assert response.json()["data"] == {
        "viewer": {"kind": "CLIENT", "member": {"legalName": "Maison Test SA"}}
    }


async def test_a_narrower_scope_can_be_requested_and_post_auth_works(
    db: Database, world: World, app_for: Any
) -> None:
    client, secret = await register(db, await world.member(), [Scope.INDICATORS_READ, Scope.SYNC])
    async with third_party(
        app_for(db), client.client_id, secret, token_endpoint_auth_method="client_secret_post"
    ) as oauth:
        token = await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials", scope="sync")
    assert token["scope"] == "sync"


async def test_scopes_the_client_does_not_hold_are_not_granted(
    db: Database, world: World, app_for: Any
) -> None:
    client, secret = await register(db, await world.member(), [Scope.INDICATORS_READ])
    async with third_party(app_for(db), client.client_id, secret) as oauth:
        token = await oauth.fetch_token(
            TOKEN_URL, grant_type="client_credentials", scope="indicators:read indicators:write"
        )
        assert token["scope"] == "indicators:read"
        with pytest.raises(OAuthError, match="invalid_scope"):
            await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials", scope="root")
        # Only scopes it does not hold: refused, rather than a token with all or none.
        with pytest.raises(OAuthError, match="invalid_scope"):
            await oauth.fetch_token(
                TOKEN_URL, grant_type="client_credentials", scope="indicators:write"
            )


@pytest.mark.parametrize("state", ["wrong secret", "revoked", "suspended member"])
async def test_refused_clients_get_invalid_client(
    db: Database, world: World, app_for: Any, state: str
) -> None:
    status = MemberStatus.SUSPENDED if state == "suspended member" else MemberStatus.ACTIVE
    member = await world.member(status=status)
    client, secret = await register(db, member)
    if state == "revoked":
        async with db.transaction() as session:
            from alliance.clients import service as client_service
            from sharing import SYSTEM_VIEWER

            await client_service.revoke(session, viewer=SYSTEM_VIEWER, client_id=client.id)
    if state == "wrong secret":
        secret = "not-the-secret"
    async with third_party(app_for(db), client.client_id, secret) as oauth:
        with pytest.raises(OAuthError, match="invalid_client"):
            await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials")


async def test_discovery_documents_describe_the_server(api: Api) -> None:
    metadata = (await api.client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == "http://testserver"
    assert metadata["token_endpoint"] == "http://testserver/oauth/token"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert set(metadata["grant_types_supported"]) == {
        "authorization_code",
        "client_credentials",
        "refresh_token",
    }
    assert "members:manage" in metadata["scopes_supported"]
    assert metadata["jwks_uri"] == "http://testserver/.well-known/jwks.json"
