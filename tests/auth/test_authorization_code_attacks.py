"""Attacks on the authorization code flow (issue item 7): PKCE missing or plain, wrong
verifiers, foreign redirect URIs, scopes an app does not hold; each refused with its error."""

from __future__ import annotations

import secrets

import pytest
from authlib.integrations.httpx_client import OAuthError  # type: ignore[import-untyped]

from sharing import Role, Scope
from tests.fixtures.federation import VIEWER, Federated, query_of
from tests.fixtures.oauth import APP_REDIRECT, TOKEN_URL, register, third_party

# -- PKCE -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("challenge", "message"),
    [
        ({}, "PKCE is required"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "S256"),
        ({"code_challenge": "x" * 43}, "S256"),  # no method means plain (RFC 7636)
    ],
    ids=["missing", "plain", "method omitted"],
)
async def test_authorization_without_s256_pkce_is_refused(
    federated: Federated, challenge: dict[str, str], message: str
) -> None:
    async with federated.browser() as browser:
        redirect = await federated.code_for(browser, None, **challenge)
    answer = query_of(redirect)
    assert answer["error"] == "invalid_request"
    assert message in answer["error_description"]
    assert "code" not in answer


async def test_pkce_is_required_of_confidential_apps_too(federated: Federated) -> None:
    confidential, secret = await register(
        federated.world.db,
        federated.member,
        [Scope.INDICATORS_READ],
        redirect_uris=[APP_REDIRECT],
    )
    assert secret is not None
    async with federated.browser() as browser:
        refused = await federated.code_for(browser, None, client_id=confidential.client_id)
        assert query_of(refused)["error"] == "invalid_request"
        verifier = secrets.token_urlsafe(48)
        redirect = await federated.code_for(
            browser, verifier, client_id=confidential.client_id, scope="indicators:read"
        )
    async with third_party(
        federated.app, confidential.client_id, secret, redirect_uri=APP_REDIRECT
    ) as app:
        with pytest.raises(OAuthError, match="invalid_request"):
            await app.fetch_token(TOKEN_URL, authorization_response=redirect)
        token = await app.fetch_token(
            TOKEN_URL, authorization_response=redirect, code_verifier=verifier
        )
    assert token["scope"] == "indicators:read"


async def test_an_app_asking_only_for_scopes_it_does_not_hold_gets_invalid_scope(
    federated: Federated,
) -> None:
    async with federated.browser() as browser:
        redirect = await federated.code_for(
            browser, secrets.token_urlsafe(48), scope="members:manage"
        )
    assert query_of(redirect)["error"] == "invalid_scope"


async def test_a_persons_token_carries_only_what_their_roles_allow(federated: Federated) -> None:
    federated.idp.add_account("rita", email="rita@brand.example", email_verified=True)
    await federated.world.user(federated.member, Role.READ_ONLY, email="rita@brand.example")
    verifier = secrets.token_urlsafe(48)
    async with federated.browser() as browser:
        response = await federated.authorize(browser, verifier, email="rita@brand.example")
    async with federated.app_client() as app:
        token = await app.fetch_token(
            TOKEN_URL, authorization_response=response.headers["location"], code_verifier=verifier
        )
    assert token["scope"] == "indicators:read"  # the app also holds indicators:write


async def test_a_revoked_refresh_token_takes_its_family_with_it(federated: Federated) -> None:
    token = await federated.issue_tokens()
    async with federated.app_client() as app:
        revoked = await app.revoke_token(
            "http://testserver/oauth/revoke",
            token["refresh_token"],
            token_type_hint="refresh_token",
        )
        assert revoked.status_code == 200
        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.refresh_token(TOKEN_URL, refresh_token=token["refresh_token"])
        app.token = token
        assert (await app.post("/graphql", json=VIEWER)).status_code == 401


async def test_a_code_without_its_verifier_or_with_a_wrong_one_is_refused(
    federated: Federated,
) -> None:
    verifier = secrets.token_urlsafe(48)
    async with federated.browser() as browser:
        redirect = await federated.code_for(browser, verifier)
    async with federated.app_client() as app:
        with pytest.raises(OAuthError, match="invalid_request"):
            await app.fetch_token(TOKEN_URL, authorization_response=redirect)
        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.fetch_token(
                TOKEN_URL, authorization_response=redirect, code_verifier=secrets.token_urlsafe(48)
            )


# -- redirect URIs and open redirects ----------------------------------------------------


async def test_an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(
    federated: Federated,
) -> None:
    async with federated.browser() as browser:
        response = await federated.authorize(
            browser, secrets.token_urlsafe(48), redirect_uri="https://evil.example/callback"
        )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.json()["error"] == "invalid_request"


async def test_a_code_redeemed_with_another_redirect_uri_is_refused(federated: Federated) -> None:
    verifier = secrets.token_urlsafe(48)
    async with federated.browser() as browser:
        redirect = await federated.code_for(browser, verifier)
    async with federated.app_client() as app:
        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.fetch_token(
                TOKEN_URL,
                authorization_response=redirect,
                code_verifier=verifier,
                redirect_uri="https://app.example/other",
            )
