"""Attacks on people's login (issue item 7): open redirects, unverified or foreign emails,
uninvited people, suspended members, deactivated users, forged state, an ID token as an
access token; each refused with the error a person or client would see."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import httpx
import pytest
from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
    AsyncOAuth2Client,
    OAuthError,
)

from alliance.members import service as member_service
from alliance.users import service as user_service
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER, Scope
from tests.fixtures.federation import VIEWER, Federated, query_of
from tests.fixtures.idp import DEFAULT_CLIENT
from tests.fixtures.oauth import APP_REDIRECT, TOKEN_URL, register


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "evil", "javascript:alert(1)"],
)
@pytest.mark.parametrize("endpoint", ["/login", "/logout"])
async def test_login_and_logout_refuse_to_send_the_browser_elsewhere(
    federated: Federated, endpoint: str, target: str
) -> None:
    async with federated.browser() as browser:
        query = urlencode({"domain": "brand.example", "next": target})
        response = await browser.get(f"{endpoint}?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "location" not in response.headers


async def test_after_login_and_logout_the_browser_stays_here(federated: Federated) -> None:
    async with federated.browser() as browser:
        response = await federated.log_in(browser, "alice@brand.example", next_path="/graphql")
        assert response.status_code == 302
        assert response.headers["location"] == "/graphql"
        out = await browser.get("/logout?next=/")
        assert out.headers["location"] == "/"
        again = await browser.get(federated.authorize_path(secrets.token_urlsafe(48)))
    assert again.headers["location"].startswith("/login?")  # logged out for real


# -- who may log in ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("carol@brand.example", "not verified your email"),
        ("bob@other.example", "domain is not allowed"),
    ],
    ids=["unverified email", "foreign domain"],
)
async def test_unverified_and_foreign_emails_are_refused(
    federated: Federated, email: str, message: str
) -> None:
    async with federated.browser() as browser:
        response = await federated.log_in(browser, email)
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"
    assert message in response.json()["error_description"]


async def test_people_not_invited_are_refused_unless_the_member_provisions_them(
    federated: Federated,
) -> None:
    federated.idp.add_account("dan", email="dan@brand.example", email_verified=True)
    async with federated.browser() as browser:
        refused = await federated.log_in(browser, "dan@brand.example")
    assert refused.status_code == 403
    assert "not been invited" in refused.json()["error_description"]

    assert (await federated.register_idp(autoProvision=True))["errors"] == []
    async with federated.browser() as browser:
        admitted = await federated.log_in(browser, "dan@brand.example")
    assert admitted.status_code == 302
    async with federated.world.db.session() as session:
        dan = await user_service.by_email(session, "dan@brand.example")
    assert dan is not None
    assert dan.roles == ["ANALYST"]
    assert dan.member_id == federated.member.id


async def test_a_member_app_serves_only_that_members_people(federated: Federated) -> None:
    other = await federated.world.member()
    foreign, _ = await register(
        federated.world.db,
        other,
        [Scope.INDICATORS_READ],
        redirect_uris=[APP_REDIRECT],
        public=True,
    )
    async with federated.browser() as browser:
        redirect = await federated.code_for(
            browser, secrets.token_urlsafe(48), client_id=foreign.client_id
        )
    assert query_of(redirect)["error"] == "access_denied"


# -- status changes bite -------------------------------------------------------------------


async def test_a_suspended_members_people_lose_their_tokens_and_cannot_log_in(
    federated: Federated,
) -> None:
    token = await federated.issue_tokens()
    async with federated.world.db.transaction() as session:
        await member_service.suspend(session, viewer=SYSTEM_VIEWER, member_id=federated.member.id)
    async with federated.app_client() as app:
        app.token = token
        assert (await app.post("/graphql", json=VIEWER)).status_code == 401
        # The app is the member's own, so the member's suspension stops the app itself.
        with pytest.raises(OAuthError, match="invalid_client"):
            await app.refresh_token(TOKEN_URL, refresh_token=token["refresh_token"])
    async with federated.browser() as browser:
        response = await federated.log_in(browser, "alice@brand.example")
    assert response.status_code == 403
    assert "suspended" in response.json()["error_description"]


async def test_a_deactivated_users_tokens_and_refresh_tokens_fail(federated: Federated) -> None:
    token = await federated.issue_tokens()
    async with federated.world.db.transaction() as session:
        alice = await user_service.by_email(session, "alice@brand.example")
        assert alice is not None
        await user_service.deactivate(session, viewer=SYSTEM_VIEWER, user_id=alice.id)
    async with federated.app_client() as app:
        app.token = token
        assert (await app.post("/graphql", json=VIEWER)).status_code == 401
        with pytest.raises(OAuthError, match="invalid_grant"):
            await app.refresh_token(TOKEN_URL, refresh_token=token["refresh_token"])


# -- tokens that are not our access tokens -------------------------------------------------


async def test_an_id_token_of_the_members_provider_is_not_an_access_token(
    federated: Federated,
) -> None:
    idp = federated.idp
    verifier = secrets.token_urlsafe(48)
    async with (
        AsyncOAuth2Client(
            client_id=DEFAULT_CLIENT.client_id,
            client_secret=DEFAULT_CLIENT.client_secret,
            redirect_uri=DEFAULT_CLIENT.redirect_uris[0],
            scope="openid email",
            code_challenge_method="S256",
        ) as relying_party,
        httpx.AsyncClient(timeout=10) as browser,
    ):
        url, _ = relying_party.create_authorization_url(
            idp.authorization_endpoint, code_verifier=verifier, nonce="n-0S6"
        )
        callback = await idp.acomplete_login(browser, url, login="alice@brand.example")
        issued = await relying_party.fetch_token(
            idp.token_endpoint, authorization_response=callback, code_verifier=verifier
        )
    async with federated.app_client() as app:
        app.token = {"access_token": issued["id_token"], "token_type": "Bearer"}
        response = await app.post("/graphql", json=VIEWER)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


# -- the login's own protocol checks -------------------------------------------------------


async def test_a_callback_with_a_forged_state_or_no_login_in_progress_is_refused(
    federated: Federated,
) -> None:
    async with federated.browser() as browser:
        nothing_started = await browser.get("/auth/callback?code=abc&state=xyz")
        assert nothing_started.status_code == 400
        started = await browser.get("/login?domain=brand.example")
        assert started.headers["location"].startswith(federated.idp.issuer)
        sent = query_of(started.headers["location"])
        assert sent["code_challenge_method"] == "S256"
        assert sent["nonce"]
        assert sent["state"]
        forged = await browser.get("/auth/callback?code=abc&state=forged")
    assert forged.status_code == 400
    assert forged.json()["error"] == "login_failed"


async def test_a_person_the_secretariat_invites_into_a_member_cannot_log_in_as_it(
    federated: Federated,
) -> None:
    # given the secretariat's own provider (alliance.example), and an alliance admin who
    # invites an address it controls into the member
    world = federated.world
    admin = world.token(await world.alliance_admin())
    register = """mutation($input: IdentityProviderRegisterInput!) {
      identityProviderRegister(input: $input) { errors { code } } }"""
    values = {
        "memberId": None,
        "issuer": federated.idp.issuer,
        "clientId": DEFAULT_CLIENT.client_id,
        "clientSecret": DEFAULT_CLIENT.client_secret,
        "emailDomains": ["alliance.example"],
    }
    registered = await federated.api.query(register, {"input": values}, token=admin)
    assert registered["identityProviderRegister"]["errors"] == []
    invite = """mutation($m: ID) { userInvite(input: {memberId: $m, email: "mole@alliance.example",
      roles: [ANALYST]}) { errors { code } } }"""
    member_id = to_global_id("Member", federated.member.id)
    invited = await federated.api.query(invite, {"m": member_id}, token=admin)
    assert invited["userInvite"]["errors"] == []
    federated.idp.add_account("mole", email="mole@alliance.example", email_verified=True)

    # when the mole logs in at the secretariat's provider, or at the member's
    for start, reason in [
        ("/login?member=secretariat", "This account cannot log in here."),
        (
            f"/login?member={federated.member.id}",
            "Your email domain is not allowed for this member.",
        ),
    ]:
        async with federated.browser() as browser:
            callback = await federated.idp.acomplete_login(
                browser, f"http://testserver{start}&next=/", login="mole@alliance.example"
            )
            response = await browser.get(callback)

        # then no session is opened for the member
        assert response.status_code == 403, start
        assert response.json()["error"] == "access_denied"
        assert response.json()["error_description"] == reason
