"""`token_type_hint` only orders the search (RFC 7009 §2.1, RFC 7662 §2.1): a wrong hint
never spares a token from revocation nor hides an active one; an unknown hint is 400."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from alliance.db import Database
from sharing import Scope
from tests.fixtures.federation import VIEWER, Federated
from tests.fixtures.oauth import TOKEN_URL, register, third_party
from tests.fixtures.world import World

REVOKE = "http://testserver/oauth/revoke"
INTROSPECT = "http://testserver/oauth/introspect"


async def _system(db: Database, world: World, app: Any) -> tuple[str, str, str]:
    client, secret = await register(db, await world.member(), [Scope.INDICATORS_READ])
    assert secret is not None
    async with third_party(app, client.client_id, secret) as oauth:
        token = await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials")
    return client.client_id, secret, token["access_token"]


async def test_an_access_token_revoked_with_the_refresh_hint_is_revoked(
    db: Database, world: World, app_for: Any
) -> None:
    app = app_for(db)
    client_id, secret, access = await _system(db, world, app)
    async with third_party(app, client_id, secret) as oauth:
        revoked = await oauth.revoke_token(REVOKE, access, token_type_hint="refresh_token")
        assert revoked.status_code == 200
        oauth.token = {"access_token": access, "token_type": "Bearer"}
        refused = await oauth.post("/graphql", json=VIEWER)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"] == "This token was revoked."


async def test_a_refresh_token_revoked_with_the_access_hint_is_revoked(
    federated: Federated,
) -> None:
    token = await federated.issue_tokens()
    async with federated.app_client() as app:
        revoked = await app.revoke_token(
            REVOKE, token["refresh_token"], token_type_hint="access_token"
        )
        assert revoked.status_code == 200
        app.token = token
        assert (await app.post("/graphql", json=VIEWER)).status_code == 401


async def test_introspection_with_the_wrong_hint_still_finds_the_token(
    db: Database, world: World, app_for: Any
) -> None:
    app = app_for(db)
    client_id, secret, access = await _system(db, world, app)
    async with third_party(app, client_id, secret) as oauth:
        seen = await oauth.introspect_token(INTROSPECT, access, token_type_hint="refresh_token")
    assert seen.status_code == 200
    body = seen.json()
    assert body["active"] is True
    assert body["client_id"] == client_id


@pytest.mark.parametrize("endpoint", [REVOKE, INTROSPECT])
async def test_an_unknown_hint_is_400_unsupported_token_type(
    db: Database, world: World, app_for: Any, endpoint: str
) -> None:
    app = app_for(db)
    client_id, secret, access = await _system(db, world, app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        answer = await plain.post(
            endpoint,
            data={"token": access, "token_type_hint": "id_token"},
            auth=(client_id, secret),
        )
        assert answer.status_code == 400
        assert answer.json()["error"] == "unsupported_token_type"
        still = await plain.post(
            "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {access}"}
        )
    assert still.status_code == 200
