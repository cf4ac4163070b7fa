"""People log in at their member's provider (the real oidc-provider), end to end, and a
first-party app gets our tokens by authorization code + PKCE with authlib's client."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import pytest
from authlib.integrations.httpx_client import OAuthError  # type: ignore[import-untyped]
from joserfc import jwt
from sqlalchemy import select

from alliance.users.models import User, UserStatus
from sharing import Role, Scope
from tests.fixtures.federation import Federated, query_of
from tests.fixtures.idp import DEFAULT_CLIENT
from tests.fixtures.oauth import APP_REDIRECT, TOKEN_URL
from tests.fixtures.oauth import register as register_client

VIEWER = {"query": "{ viewer { kind roles scopes user { email } } }"}


async def test_a_person_logs_in_at_their_provider_and_the_app_gets_our_tokens(
    federated: Federated,
) -> None:
    verifier = secrets.token_urlsafe(48)
    async with federated.browser() as browser:
        first = await browser.get(federated.authorize_path(verifier))
        assert first.status_code == 302
        assert first.headers["location"].startswith("/login?next=%2Foauth%2Fauthorize")
        form = await browser.get(first.headers["location"])
        assert 'name="domain"' in form.text  # where do you work? (email domain)
        redirect = await federated.code_for(browser, verifier)
    assert redirect.startswith(APP_REDIRECT + "?")
    assert set(query_of(redirect)) == {"code", "state", "iss"}

    async with federated.app_client() as app:
        token = await app.fetch_token(
            TOKEN_URL, authorization_response=redirect, code_verifier=verifier
        )
        assert token["token_type"] == "Bearer"
        assert token["scope"] == "indicators:read indicators:write"
        assert "refresh_token" in token
        header = jwt.decode(token["access_token"], federated.world.tokens.keys.public_keys()).header
        assert header["typ"] == "at+jwt"
        viewer = (await app.post("/graphql", json=VIEWER)).json()["data"]["viewer"]
    assert viewer == {
        "kind": "USER",
        "roles": ["ANALYST"],
        "scopes": ["INDICATORS_READ", "INDICATORS_WRITE"],
        "user": {"email": "alice@brand.example"},
    }
    async with federated.world.db.session() as session:
        alice = await session.scalar(select(User).where(User.email == "alice@brand.example"))
    assert alice is not None
    assert alice.status is UserStatus.ACTIVE
    assert (alice.external_issuer, alice.external_subject) == (federated.idp.issuer, "alice")
    assert "user.login" in await federated.world.audit_actions()


async def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_family(
    federated: Federated,
) -> None:
    verifier = secrets.token_urlsafe(48)
    async with federated.browser() as browser:
        redirect = await federated.code_for(browser, verifier)
    async with federated.app_client() as app:
        first = await app.fetch_token(
            TOKEN_URL, authorization_response=redirect, code_verifier=verifier
        )
        second = await app.refresh_token(TOKEN_URL, refresh_token=first["refresh_token"])
        assert second["refresh_token"] != first["refresh_token"]
        assert (await app.post("/graphql", json=VIEWER)).status_code == 200

        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.refresh_token(TOKEN_URL, refresh_token=first["refresh_token"])
        # The reuse revoked the whole family: the newest refresh and access tokens too.
        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.refresh_token(TOKEN_URL, refresh_token=second["refresh_token"])
        app.token = second
        refused = await app.post("/graphql", json=VIEWER)
    assert refused.status_code == 401


async def test_a_replayed_code_is_refused_and_revokes_what_it_gave(
    federated: Federated,
) -> None:
    verifier = secrets.token_urlsafe(48)
    async with federated.browser() as browser:
        redirect = await federated.code_for(browser, verifier)
    async with federated.app_client() as app:
        token = await app.fetch_token(
            TOKEN_URL, authorization_response=redirect, code_verifier=verifier
        )
        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.fetch_token(
                TOKEN_URL, authorization_response=redirect, code_verifier=verifier
            )
        assert (await app.post("/graphql", json=VIEWER)).status_code == 401
        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.refresh_token(TOKEN_URL, refresh_token=token["refresh_token"])


async def test_the_secretariat_logs_in_at_its_own_provider(federated: Federated) -> None:
    world = federated.world
    admin = await world.alliance_admin()
    await world.user(None, Role.ALLIANCE_ADMIN, email="sam@alliance.example")
    federated.idp.add_account("sam", email="sam@alliance.example", email_verified=True)
    register = """mutation($input: IdentityProviderRegisterInput!) {
      identityProviderRegister(input: $input) {
        errors { code } identityProvider { loginUrl } } }"""
    values = {
        "memberId": None,
        "issuer": federated.idp.issuer,
        "clientId": DEFAULT_CLIENT.client_id,
        "clientSecret": DEFAULT_CLIENT.client_secret,
        "emailDomains": ["alliance.example"],
    }
    data = await federated.api.query(register, {"input": values}, token=world.token(admin))
    login_url = data["identityProviderRegister"]["identityProvider"]["loginUrl"]
    assert login_url == "/login?member=secretariat"
    console, _ = await register_client(
        world.db, None, [Scope.ALLIANCE_ADMIN, Scope.MEMBERS_MANAGE], redirect_uris=[APP_REDIRECT]
    )
    async with federated.browser() as browser:
        path = federated.authorize_path(
            "v" * 43, client_id=console.client_id, scope="alliance:admin"
        )
        start = f"http://testserver{login_url}&{urlencode({'next': path})}"
        callback = await federated.idp.acomplete_login(browser, start, login="sam@alliance.example")
        signed_in = await browser.get(callback)
        assert signed_in.headers["location"] == path
        redirect = (await browser.get(path)).headers["location"]
    assert set(query_of(redirect)) == {"code", "state", "iss"}
