"""A person's tokens die with the app they were issued to: after `clientRevoke`, the API,
introspection and the refresh grant all say so (one rule, alliance/principals.py)."""

from __future__ import annotations

from typing import Any

import pytest
from authlib.integrations.httpx_client import OAuthError  # type: ignore[import-untyped]

from alliance.clients import service as client_service
from sharing import SYSTEM_VIEWER, Scope
from tests.fixtures.federation import VIEWER, Federated
from tests.fixtures.oauth import TOKEN_URL, register, third_party

INTROSPECT = "http://testserver/oauth/introspect"


async def _introspect(federated: Federated, token: str) -> dict[str, Any]:
    # a secretariat system holding alliance:admin may introspect any token
    auditor, secret = await register(federated.world.db, None, [Scope.ALLIANCE_ADMIN])
    async with third_party(federated.app, auditor.client_id, secret) as oauth:
        answer = await oauth.introspect_token(INTROSPECT, token)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


async def test_a_revoked_apps_tokens_are_inactive_everywhere(federated: Federated) -> None:
    # given alice's tokens for the app, active until the app is revoked
    token = await federated.issue_tokens()
    assert (await _introspect(federated, token["access_token"]))["active"] is True
    assert (await _introspect(federated, token["refresh_token"]))["active"] is True

    # when a member admin revokes the app
    async with federated.world.db.transaction() as session:
        await client_service.revoke(session, viewer=SYSTEM_VIEWER, client_id=federated.client.id)

    # then the API refuses the access token and introspection agrees, for both tokens
    async with federated.app_client() as app:
        app.token = token
        assert (await app.post("/graphql", json=VIEWER)).status_code == 401
        with pytest.raises(OAuthError, match="invalid_client"):
            await app.refresh_token(TOKEN_URL, refresh_token=token["refresh_token"])
    assert await _introspect(federated, token["access_token"]) == {"active": False}
    assert await _introspect(federated, token["refresh_token"]) == {"active": False}
