"""Revocation that bites: two `alliance serve` processes share one database; what is
revoked through one is refused by the other within 5 seconds."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client  # type: ignore[import-untyped]

from tests.fixtures.servers import base_env, run, scratch_postgresql, serving

ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("ALLIANCE_TEST_DATABASE_URL") else [])
ISSUER = "http://alliance.test"  # both instances are one service: same issuer, same keys
VIEWER = "{ viewer { kind member { id } user { id } } }"
REVOCATION_DEADLINE_SECONDS = 5.0


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'alliance.db'}"
    else:
        with scratch_postgresql(os.environ["ALLIANCE_TEST_DATABASE_URL"]) as url:
            yield url


def _graphql(base: str, token: str, query: str, **variables: Any) -> httpx.Response:
    return httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def _data(base: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = _graphql(base, token, query, **variables)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


def _assert_refused_within_deadline(base: str, token: str) -> None:
    """Poll `base` until the token is refused; fail if that takes more than 5 seconds."""
    deadline = time.monotonic() + REVOCATION_DEADLINE_SECONDS
    while True:
        response = _graphql(base, token, "{ viewer { kind } }")
        if response.status_code == 401:
            return
        assert response.status_code == 200, response.text
        assert time.monotonic() < deadline, "still accepted 5 s after the revocation"
        time.sleep(0.1)


def _client_token(base: str, client_id: str, secret: str) -> str:
    """A member system's token from a running instance, through authlib's OAuth client."""
    with OAuth2Client(client_id=client_id, client_secret=secret, timeout=10) as system:
        token: str = system.fetch_token(f"{base}/oauth/token", grant_type="client_credentials")[
            "access_token"
        ]
    return token


@pytest.mark.e2e
def test_revocations_through_one_instance_are_refused_by_the_other_within_5_s(
    tmp_path: Path, database_url: str
) -> None:
    env = {**base_env(tmp_path, database_url), "ALLIANCE_ISSUER": ISSUER}
    run(env, "db", "upgrade")
    demo = run(env, "demo")
    match = re.search(r"Maison Lumière SA\s+(cl_[0-9a-f]+)\s+(\S+)", demo)
    assert match, demo
    client_id, secret = match.groups()

    def person(email: str) -> str:
        return run(env, "token", "--user", email).strip()

    admin, alliance_admin = person("admin@maison-lumiere.example"), person("admin@alliance.example")
    analyst, other_member = (
        person("analyst@maison-lumiere.example"),
        person("analyst@velden.example"),
    )
    with serving(env) as first, serving(env) as second:
        # RFC 7009 through the first instance: that access token only is refused by the second.
        doomed, kept = (
            _client_token(first, client_id, secret),
            _client_token(second, client_id, secret),
        )
        _data(second, doomed, VIEWER)
        revoked = httpx.post(
            f"{first}/oauth/revoke", data={"token": doomed}, auth=(client_id, secret), timeout=10
        )
        assert revoked.status_code == 200
        _assert_refused_within_deadline(second, doomed)
        _data(second, kept, VIEWER)

        # A member admin revokes the client through the first instance.
        member_id = _data(first, admin, VIEWER)["viewer"]["member"]["id"]
        clients = _data(first, admin, "query($m: ID) { clients(memberId: $m) { id } }", m=member_id)
        revoke = "mutation($id: ID!) { clientRevoke(id: $id) { errors { code } } }"
        assert _data(first, admin, revoke, id=clients["clients"][0]["id"])["clientRevoke"] == {
            "errors": []
        }
        _assert_refused_within_deadline(second, kept)

        # The member admin deactivates the analyst through the first instance.
        user_id = _data(second, analyst, VIEWER)["viewer"]["user"]["id"]
        deactivate = "mutation($id: ID!) { userDeactivate(id: $id) { errors { code } } }"
        assert _data(first, admin, deactivate, id=user_id)["userDeactivate"] == {"errors": []}
        _assert_refused_within_deadline(second, analyst)

        # An alliance admin suspends another member through the first instance.
        velden = _data(second, other_member, VIEWER)["viewer"]["member"]["id"]
        suspend = "mutation($id: ID!) { memberSuspend(id: $id) { errors { code } } }"
        assert _data(first, alliance_admin, suspend, id=velden)["memberSuspend"] == {"errors": []}
        _assert_refused_within_deadline(second, other_member)
