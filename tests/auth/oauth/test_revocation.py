"""Revocation (RFC 7009) and introspection (RFC 7662) of access tokens."""

from __future__ import annotations

from typing import Any

import httpx

from alliance.db import Database
from sharing import Scope
from tests.fixtures.oauth import TOKEN_URL, register, third_party
from tests.fixtures.world import World

VIEWER = {"query": "{ viewer { kind } }"}


async def _client_token(db: Database, world: World, app: Any) -> tuple[str, str, str]:
    client, secret = await register(db, await world.member(), [Scope.INDICATORS_READ])
    assert secret is not None
    async with third_party(app, client.client_id, secret) as oauth:
        token = await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials")
    return client.client_id, secret, token["access_token"]


async def test_a_revoked_access_token_is_refused_and_inactive(
    db: Database, world: World, app_for: Any
) -> None:
    app = app_for(db)
    client_id, secret, access = await _client_token(db, world, app)
    async with third_party(app, client_id, secret) as oauth:
        oauth.token = {"access_token": access, "token_type": "Bearer"}
        assert (await oauth.post("/graphql", json=VIEWER)).status_code == 200

        revoked = await oauth.revoke_token(
            "http://testserver/oauth/revoke", access, token_type_hint="access_token"
        )
        assert revoked.status_code == 200

        refused = await oauth.post("/graphql", json=VIEWER)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["message"] == "This token was revoked."
        introspected = await oauth.introspect_token("http://testserver/oauth/introspect", access)
        assert introspected.json() == {"active": False}


async def test_introspection_describes_an_active_token_to_its_client_only(
    db: Database, world: World, app_for: Any
) -> None:
    app = app_for(db)
    client_id, secret, access = await _client_token(db, world, app)
    async with third_party(app, client_id, secret) as oauth:
        body = (await oauth.introspect_token("http://testserver/oauth/introspect", access)).json()
    assert body["active"] is True
    assert body["client_id"] == client_id
    assert body["scope"] == "indicators:read"
    assert body["token_type"] == "access_token"
    assert body["sub"].startswith("client:")

    other_id, other_secret, _ = await _client_token(db, world, app)
    async with third_party(app, other_id, other_secret) as stranger:
        seen = await stranger.introspect_token("http://testserver/oauth/introspect", access)
    assert seen.json() == {"active": False}


async def test_another_client_cannot_revoke_a_token(
    db: Database, world: World, app_for: Any
) -> None:
    app = app_for(db)
    _, _, access = await _client_token(db, world, app)
    other_id, other_secret, _ = await _client_token(db, world, app)
    async with third_party(app, other_id, other_secret) as stranger:
        response = await stranger.revoke_token("http://testserver/oauth/revoke", access)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        still = await plain.post(
            "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {access}"}
        )
    assert still.status_code == 200


async def test_revocation_needs_client_authentication(
    db: Database, world: World, app_for: Any
) -> None:
    app = app_for(db)
    _, _, access = await _client_token(db, world, app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        response = await plain.post("/oauth/revoke", data={"token": access})
    assert response.json()["error"] == "invalid_client"
