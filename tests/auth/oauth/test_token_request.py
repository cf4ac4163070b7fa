"""What the token endpoint accepts: parameters in the form body only, each at most once
(RFC 6749 §3.2), and one answer for every failed client authentication."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from alliance.db import Database
from sharing import Scope
from tests.fixtures.oauth import register
from tests.fixtures.world import World

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def plain(db: Database, app_for: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_for(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _system(db: Database, world: World) -> tuple[str, str]:
    client, secret = await register(db, await world.member(), [Scope.INDICATORS_READ])
    assert secret is not None
    return client.client_id, secret


async def test_the_form_body_gets_a_token(
    db: Database, world: World, plain: httpx.AsyncClient
) -> None:
    client_id, secret = await _system(db, world)
    answer = await plain.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("grant_type=client_credentials", ""),
        ("scope=indicators:read", "grant_type=client_credentials"),
        ("client_id={id}&client_secret={secret}", "grant_type=client_credentials"),
    ],
    ids=["grant type", "scope", "client credentials"],
)
async def test_parameters_in_the_query_string_are_refused(
    db: Database, world: World, plain: httpx.AsyncClient, query: str, body: str
) -> None:
    client_id, secret = await _system(db, world)
    url = "/oauth/token?" + query.format(id=client_id, secret=secret)
    answer = await plain.post(url, content=body, headers=FORM, auth=(client_id, secret))
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert "query" in answer.json()["error_description"]
    assert "access_token" not in answer.json()


@pytest.mark.parametrize(
    "body",
    [
        "grant_type=client_credentials&grant_type=client_credentials",
        "grant_type=client_credentials&scope=indicators:read&scope=sync",
        "grant_type=client_credentials&client_id={id}&client_secret=x&client_secret={secret}",
    ],
    ids=["grant type", "scope", "client secret"],
)
async def test_a_repeated_parameter_is_refused(
    db: Database, world: World, plain: httpx.AsyncClient, body: str
) -> None:
    client_id, secret = await _system(db, world)
    answer = await plain.post(
        "/oauth/token",
        content=body.format(id=client_id, secret=secret),
        headers=FORM,
        auth=(client_id, secret),
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert "more than once" in answer.json()["error_description"]


@pytest.mark.parametrize("method", ["basic", "post"])
async def test_an_unknown_client_and_a_wrong_secret_get_the_same_answer(
    db: Database, world: World, plain: httpx.AsyncClient, method: str
) -> None:
    client_id, secret = await _system(db, world)

    async def attempt(client: str, password: str) -> httpx.Response:
        data = {"grant_type": "client_credentials"}
        if method == "post":
            data |= {"client_id": client, "client_secret": password}
            return await plain.post("/oauth/token", data=data)
        return await plain.post("/oauth/token", data=data, auth=(client, password))

    unknown = await attempt("cl_000000000000000000000000", secret)
    wrong = await attempt(client_id, "not-the-secret")
    assert unknown.json()["error"] == "invalid_client"
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert unknown.headers.get("www-authenticate") == wrong.headers.get("www-authenticate")
