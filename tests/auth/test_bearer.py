"""Bearer tokens at /graphql: only our own, valid, current access tokens get in."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from alliance.users.models import User
from auth.tokens import TokenIssuer
from schema.ids import to_global_id
from sharing import MemberStatus, PrincipalKind, Role
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

VIEWER = "{ viewer { kind } }"


def _claims(tokens: TokenIssuer, user: User, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": tokens.issuer,
        "aud": tokens.audience,
        "sub": f"user:{user.id}",
        "client_id": "alliance-cli",
        "scope": "indicators:read",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "test-jti",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(
    tokens: TokenIssuer, claims: dict[str, Any], *, typ: str = "at+jwt", key: ECKey | None = None
) -> str:
    signing = tokens.keys.signing_key()
    header = {"alg": "ES256", "typ": typ, "kid": signing.kid}
    return jwt.encode(header, claims, key or signing.key, algorithms=["ES256"])


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'at+jwt'})}.{part(claims)}."


async def _assert_refused(api: Api, token: str | None, header: str | None = None) -> None:
    if header is not None:
        response = await api.client.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": header}
        )
    else:
        response = await api.post(VIEWER, token=token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "data" not in response.json()


async def test_no_token_gets_401_and_nothing_else(api: Api, world: World) -> None:
    await world.member()
    response = await api.post("{ members { totalCount } }", token=None)
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {"message": "Authentication required.", "extensions": {"code": "UNAUTHENTICATED"}}
        ]
    }


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not.a.jwt", "Token abc"]
)
async def test_malformed_authorization_headers_are_refused(api: Api, header: str) -> None:
    await _assert_refused(api, None, header)


async def test_a_valid_token_is_accepted(api: Api, world: World, tokens: TokenIssuer) -> None:
    user = await world.user(await world.member(), Role.ANALYST)
    data = await api.query(VIEWER, token=_sign(tokens, _claims(tokens, user)))
    assert data == {"viewer": {"kind": "USER"}}


# Claims relative to the moment the test runs (not the moment the file was imported: a
# long suite would let a token "not yet valid" at import become valid by then).
ATTACKS: dict[str, Callable[[int], dict[str, Any]]] = {
    "wrong issuer": lambda now: {"iss": "https://evil.example"},
    "wrong audience": lambda now: {"aud": "another-api"},
    "expired": lambda now: {"exp": now - 120, "iat": now - 900, "nbf": now - 900},
    "not yet valid": lambda now: {"nbf": now + 600},
    "no expiry": lambda now: {"exp": None},
    "no jti": lambda now: {"jti": None},
    "no client_id": lambda now: {"client_id": None},
    "system subject": lambda now: {"sub": "system:00000000-0000-0000-0000-000000000000"},
    "malformed subject": lambda now: {"sub": "admin"},
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_forged_claims_are_refused(
    api: Api, world: World, tokens: TokenIssuer, attack: str
) -> None:
    user = await world.user(await world.member(), Role.ANALYST)
    claims = ATTACKS[attack](int(time.time()))
    await _assert_refused(api, _sign(tokens, _claims(tokens, user, **claims)))


async def test_alg_none_is_refused(api: Api, world: World, tokens: TokenIssuer) -> None:
    user = await world.user(await world.member(), Role.ANALYST)
    await _assert_refused(api, _unsigned(_claims(tokens, user)))


async def test_a_token_signed_by_another_key_with_our_kid_is_refused(
    api: Api, world: World, tokens: TokenIssuer
) -> None:
    user = await world.user(await world.member(), Role.ANALYST)
    stranger = ECKey.generate_key("P-256", private=True)
    await _assert_refused(api, _sign(tokens, _claims(tokens, user), key=stranger))


@pytest.mark.parametrize("typ", ["JWT", "id_token+jwt", ""])
async def test_a_jwt_that_is_not_an_access_token_is_refused(
    api: Api, world: World, tokens: TokenIssuer, typ: str
) -> None:
    user = await world.user(await world.member(), Role.ANALYST)
    await _assert_refused(api, _sign(tokens, _claims(tokens, user), typ=typ))


async def test_a_suspended_members_tokens_stop_working_and_return_on_reinstatement(
    api: Api, world: World
) -> None:
    member = await world.member()
    analyst = world.token(await world.user(member, Role.ANALYST))
    client = world.token(await world.client(member))
    admin = world.token(await world.alliance_admin())
    member_id = to_global_id("Member", member.id)
    assert await api.query(VIEWER, token=analyst) == {"viewer": {"kind": "USER"}}

    await api.query(
        "mutation($id: ID!) { memberSuspend(id: $id) { errors { code } } }",
        {"id": member_id},
        token=admin,
    )
    await _assert_refused(api, analyst)
    await _assert_refused(api, client)

    await api.query(
        "mutation($id: ID!) { memberReinstate(id: $id) { errors { code } } }",
        {"id": member_id},
        token=admin,
    )
    assert await api.query(VIEWER, token=analyst) == {"viewer": {"kind": "USER"}}


async def test_offboarded_members_tokens_are_refused(api: Api, world: World) -> None:
    member = await world.member()
    analyst = world.token(await world.user(member, Role.ANALYST))
    async with world.db.transaction() as session:
        from alliance.members import service as member_service
        from alliance.members.models import DataDisposition
        from sharing import SYSTEM_VIEWER

        await member_service.offboard(
            session, viewer=SYSTEM_VIEWER, member_id=member.id, disposition=DataDisposition.RETAIN
        )
    await _assert_refused(api, analyst)


async def test_a_deactivated_users_tokens_stop_working(api: Api, world: World) -> None:
    member = await world.member()
    analyst = await world.user(member, Role.ANALYST)
    token = world.token(analyst)
    admin = world.token(await world.admin_of(member))
    assert await api.query(VIEWER, token=token) == {"viewer": {"kind": "USER"}}
    await api.query(
        "mutation($id: ID!) { userDeactivate(id: $id) { errors { code } } }",
        {"id": to_global_id("User", analyst.id)},
        token=admin,
    )
    await _assert_refused(api, token)


async def test_a_member_system_calls_with_its_client_token(api: Api, world: World) -> None:
    member = await world.member("Systems SA")
    data = await api.query(
        "{ viewer { kind scopes roles member { legalName } user { email } } }",
        token=world.token(await world.client(member)),
    )
    assert data["viewer"] == {
        "kind": "CLIENT",
        "scopes": ["INDICATORS_READ"],
        "roles": [],
        "member": {"legalName": "Systems SA"},
        "user": None,
    }


async def test_effective_scopes_are_the_intersection_of_token_and_roles(
    api: Api, world: World, tokens: TokenIssuer
) -> None:
    reader = await world.user(await world.member(), Role.READ_ONLY)
    # a token claiming admin scopes for a read-only user
    token = _sign(
        tokens, _claims(tokens, reader, scope="indicators:read indicators:write alliance:admin")
    )
    data = await api.query("{ viewer { scopes } }", token=token)
    assert data["viewer"]["scopes"] == ["INDICATORS_READ"]


async def test_a_suspended_member_cannot_be_read_even_by_its_own_token(
    api: Api, world: World
) -> None:
    member = await world.member(status=MemberStatus.SUSPENDED)
    analyst = world.token(await world.user(member, Role.ANALYST))
    await _assert_refused(api, analyst)


# What RFC 6750 §3 allows inside error_description="…".
CHALLENGE = re.compile(
    r'^Bearer error="invalid_token", error_description="[\x20\x21\x23-\x5B\x5D-\x7E]+"$'
)


async def test_a_token_of_another_issuer_is_refused_naming_the_expected_one(
    api: Api, world: World, tokens: TokenIssuer
) -> None:
    # Given a token minted in another shell, for the default port, with the server's keys
    user = await world.user(await world.member(), Role.ANALYST)
    elsewhere = TokenIssuer(
        tokens.keys, issuer="http://127.0.0.1:8000", audience="alliance-api", ttl=300
    )
    token = elsewhere.mint(
        kind=PrincipalKind.USER, principal_id=user.id, client_id="alliance-cli", scopes=[]
    )
    # when it calls this server, then the 401 says which issuer would have been accepted
    response = await api.post(VIEWER, token=token)
    assert response.status_code == 401
    message = response.json()["errors"][0]["message"]
    assert message == (
        f"The token's issuer is http://127.0.0.1:8000 but this service expects {tokens.issuer}; "
        "mint tokens with the server's ALLIANCE_ISSUER (or its ALLIANCE_HOST and ALLIANCE_PORT)."
    )
    challenge = response.headers["www-authenticate"]
    assert CHALLENGE.match(challenge), challenge
    assert tokens.issuer in challenge


async def test_an_issuer_with_quotes_and_line_breaks_cannot_break_the_challenge(
    api: Api, world: World, tokens: TokenIssuer
) -> None:
    user = await world.user(await world.member(), Role.ANALYST)
    odd = 'x"\r\nSet-Cookie: a=b\\' + "é" * 300
    response = await api.post(VIEWER, token=_sign(tokens, _claims(tokens, user, iss=odd)))
    assert response.status_code == 401
    assert CHALLENGE.match(response.headers["www-authenticate"])
    assert "set-cookie" not in response.headers
    assert len(response.json()["errors"][0]["message"]) < 400
