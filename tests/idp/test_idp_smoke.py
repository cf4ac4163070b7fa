"""Smoke tests of the test OpenID provider (tests/idp/server.mjs + tests/fixtures/idp.py).

A relying party (authlib's httpx OAuth2 client) runs the authorization code
flow with PKCE (S256) against the real oidc-provider, the login and consent
pages being driven by the fixture's helper, and checks the ID token.

The fixtures come from ``tests.fixtures.idp``, loaded by ``tests/conftest.py``
(``pytest_plugins``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
    AsyncOAuth2Client,
    OAuth2Client,
    OAuthError,
)
from joserfc import jwt

from tests.fixtures.idp import (
    DEFAULT_CLIENT,
    IdPConfig,
    OIDCClient,
    OIDCLoginError,
    OIDCProvider,
    OIDCProviderError,
    OIDCProviderFactory,
)

REDIRECT_URI = "http://rp.test/auth/callback"  # never requested: the helper stops there
CLIENT = OIDCClient(
    client_id="smoke-rp",
    client_secret="smoke-secret-0123456789",
    redirect_uris=[REDIRECT_URI],
    token_endpoint_auth_method="client_secret_basic",
)
ALICE = {"email": "alice@brand.example", "email_verified": True, "name": "Alice Brand"}


@pytest.fixture(scope="module")
def idp(oidc_provider_factory: OIDCProviderFactory) -> OIDCProvider:
    """A provider of its own: one client, one account."""
    return oidc_provider_factory(IdPConfig(clients=[CLIENT], accounts={"alice": ALICE}))


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as client:
        yield client


def relying_party(idp: OIDCProvider, client: OIDCClient = CLIENT, **kwargs: Any) -> OAuth2Client:
    return OAuth2Client(
        client_id=client.client_id,
        client_secret=client.client_secret,
        token_endpoint_auth_method=client.token_endpoint_auth_method,
        redirect_uri=client.redirect_uris[0],
        scope="openid email profile",
        code_challenge_method="S256",
        timeout=10.0,
        **kwargs,
    )


def callback_params(url: str) -> dict[str, str]:
    assert url.startswith(REDIRECT_URI + "?"), url
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def verify_id_token(idp: OIDCProvider, id_token: str, *, nonce: str) -> dict[str, Any]:
    token = jwt.decode(id_token, idp.key_set(), algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": idp.issuer},
        aud={"essential": True, "value": CLIENT.client_id},
        sub={"essential": True, "value": "alice"},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(token.claims)
    return dict(token.claims)


def authorize(
    idp: OIDCProvider,
    rp: OAuth2Client,
    browser: httpx.Client,
    *,
    login: str = "alice@brand.example",
) -> tuple[str, str, str, str]:
    """Returns (callback URL, state, nonce, code_verifier)."""
    code_verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = rp.create_authorization_url(
        idp.authorization_endpoint, code_verifier=code_verifier, nonce=nonce
    )
    assert "code_challenge_method=S256" in url
    callback = idp.complete_login(browser, url, login=login)
    return callback, state, nonce, code_verifier


def test_discovery(idp: OIDCProvider) -> None:
    metadata = httpx.get(idp.discovery_url).json()
    assert metadata["issuer"] == idp.issuer
    assert idp.issuer.startswith("http://127.0.0.1:")
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        metadata["token_endpoint_auth_methods_supported"]
    )
    assert {"openid", "email", "profile"} <= set(metadata["scopes_supported"])
    assert metadata["authorization_response_iss_parameter_supported"] is True


def test_authorization_code_flow_with_pkce(idp: OIDCProvider, browser: httpx.Client) -> None:
    with relying_party(idp) as rp:
        callback, state, nonce, code_verifier = authorize(idp, rp, browser)
        params = callback_params(callback)
        assert params["state"] == state
        assert params["iss"] == idp.issuer  # RFC 9207
        assert "code" in params

        token = rp.fetch_token(
            idp.token_endpoint,
            authorization_response=callback,
            code_verifier=code_verifier,
        )
        assert token["token_type"].lower() == "bearer"
        claims = verify_id_token(idp, token["id_token"], nonce=nonce)
        assert claims["email"] == "alice@brand.example"
        assert claims["email_verified"] is True
        assert claims["name"] == "Alice Brand"

        userinfo = rp.get(idp.userinfo_endpoint).json()
        assert userinfo["sub"] == "alice"
        assert userinfo["email"] == "alice@brand.example"
        assert userinfo["email_verified"] is True

        # The code is single use.
        with pytest.raises(OAuthError) as replay:
            rp.fetch_token(idp.token_endpoint, code=params["code"], code_verifier=code_verifier)
        assert replay.value.error == "invalid_grant"


def test_wrong_client_secret_is_refused(idp: OIDCProvider, browser: httpx.Client) -> None:
    with relying_party(idp) as rp:
        callback, _, _, code_verifier = authorize(idp, rp, browser)
    wrong = OIDCClient(
        client_id=CLIENT.client_id,
        client_secret="not-the-secret",
        redirect_uris=[REDIRECT_URI],
    )
    with relying_party(idp, wrong) as rp, pytest.raises(OAuthError) as refused:
        rp.fetch_token(
            idp.token_endpoint,
            authorization_response=callback,
            code_verifier=code_verifier,
        )
    assert refused.value.error == "invalid_client"


def test_wrong_code_verifier_is_refused(idp: OIDCProvider, browser: httpx.Client) -> None:
    with relying_party(idp) as rp:
        callback, _, _, _ = authorize(idp, rp, browser)
        with pytest.raises(OAuthError) as refused:
            rp.fetch_token(
                idp.token_endpoint,
                authorization_response=callback,
                code_verifier="x" * 50,
            )
    assert refused.value.error == "invalid_grant"


def test_login_by_subject_and_session_reuse(idp: OIDCProvider, browser: httpx.Client) -> None:
    with relying_party(idp) as rp:
        first, _, _, _ = authorize(idp, rp, browser, login="alice")
        assert "code" in callback_params(first)
        # Same browser, provider session kept: no login form, no consent form.
        url, _ = rp.create_authorization_url(
            idp.authorization_endpoint, code_verifier=generate_token(48), nonce="n"
        )
        second = idp.complete_login(browser, url, login=None, reuse_session=True)
        assert "code" in callback_params(second)


def test_unknown_account_and_denied_consent(idp: OIDCProvider, browser: httpx.Client) -> None:
    with relying_party(idp) as rp:
        url, _ = rp.create_authorization_url(
            idp.authorization_endpoint, code_verifier=generate_token(48), nonce="n"
        )
        with pytest.raises(OIDCLoginError, match="Unknown account"):
            idp.complete_login(browser, url, login="nobody@brand.example")

        url, state = rp.create_authorization_url(
            idp.authorization_endpoint, code_verifier=generate_token(48), nonce="n"
        )
        params = callback_params(idp.complete_login(browser, url, login="alice", consent=False))
    assert params["error"] == "access_denied"
    assert params["state"] == state


def test_shared_provider_reconfigured_with_client_secret_post(
    oidc_provider: OIDCProvider, browser: httpx.Client
) -> None:
    client = OIDCClient(
        client_id="post-rp",
        client_secret="post-secret-0123456789",
        redirect_uris=[REDIRECT_URI],
        token_endpoint_auth_method="client_secret_post",
    )
    oidc_provider.add_client(client)
    oidc_provider.add_account("dave", email="Dave@Brand.Example", email_verified=False)
    try:
        with relying_party(oidc_provider, client) as rp:
            verifier = generate_token(48)
            url, _ = rp.create_authorization_url(
                oidc_provider.authorization_endpoint, code_verifier=verifier, nonce="n"
            )
            callback = oidc_provider.complete_login(browser, url, login="dave@brand.example")
            token = rp.fetch_token(
                oidc_provider.token_endpoint,
                authorization_response=callback,
                code_verifier=verifier,
            )
        claims = jwt.decode(
            token["id_token"],
            oidc_provider.key_set(),
        ).claims
        assert claims["sub"] == "dave"
        assert claims["email_verified"] is False
    finally:
        oidc_provider.reset()
    assert [c["client_id"] for c in oidc_provider.config["clients"]] == ["alliance-test"]


def test_invalid_client_configuration_is_rejected(oidc_provider: OIDCProvider) -> None:
    with pytest.raises(OIDCProviderError, match="redirect_uris"):
        oidc_provider.add_client({"client_id": "broken", "client_secret": "s", "redirect_uris": []})
    assert [c["client_id"] for c in oidc_provider.config["clients"]] == ["alliance-test"]


@pytest.mark.asyncio
async def test_async_flow(idp: OIDCProvider) -> None:
    verifier = generate_token(48)
    async with (
        AsyncOAuth2Client(
            client_id=CLIENT.client_id,
            client_secret=CLIENT.client_secret,
            redirect_uri=REDIRECT_URI,
            scope="openid email",
            code_challenge_method="S256",
        ) as rp,
        httpx.AsyncClient() as browser,
    ):
        url, _ = rp.create_authorization_url(
            idp.authorization_endpoint, code_verifier=verifier, nonce="async-nonce"
        )
        callback = await idp.acomplete_login(browser, url, login="alice@brand.example")
        token = await rp.fetch_token(
            idp.token_endpoint, authorization_response=callback, code_verifier=verifier
        )
    claims = verify_id_token(idp, token["id_token"], nonce="async-nonce")
    assert claims["email"] == "alice@brand.example"
    assert "name" not in claims  # no profile scope requested


@pytest.mark.asyncio
async def test_starlette_relying_party_through_asgi_transport(
    oidc_provider: OIDCProvider,
) -> None:
    """The shape of the service's own login: authlib's Starlette client served in-process.

    The browser is one ``httpx.AsyncClient``: requests to ``http://testserver``
    go to the ASGI app, requests to the provider go over loopback (``mounts``).
    """
    from authlib.integrations.starlette_client import OAuth  # type: ignore[import-untyped]
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    oauth = OAuth()
    oauth.register(
        "idp",
        client_id=DEFAULT_CLIENT.client_id,
        client_secret=DEFAULT_CLIENT.client_secret,
        server_metadata_url=oidc_provider.discovery_url,
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
        },
    )

    async def login(request: Request) -> Response:
        redirect_uri = str(request.url_for("callback"))
        response: Response = await oauth.idp.authorize_redirect(request, redirect_uri)
        return response

    async def callback(request: Request) -> Response:
        token = await oauth.idp.authorize_access_token(request)
        return JSONResponse(dict(token["userinfo"]))

    app = Starlette(
        routes=[
            Route("/login", login),
            Route("/auth/callback", callback, name="callback"),
        ],
        middleware=[Middleware(SessionMiddleware, secret_key="test-only")],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        mounts={oidc_provider.issuer: httpx.AsyncHTTPTransport()},
    ) as browser:
        callback_url = await oidc_provider.acomplete_login(
            browser, "http://testserver/login", login="alice@brand.example"
        )
        assert callback_url.startswith("http://testserver/auth/callback?code=")
        response = await browser.get(callback_url)
    assert response.status_code == 200, response.text
    userinfo = response.json()
    assert userinfo["iss"] == oidc_provider.issuer
    assert userinfo["sub"] == "alice"
    assert userinfo["email"] == "alice@brand.example"
    assert userinfo["email_verified"] is True
