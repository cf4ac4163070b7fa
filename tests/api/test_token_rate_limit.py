"""/oauth/token is rate limited per client id and per remote address (a token bucket each)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import httpx
import pytest
from starlette.applications import Starlette

from alliance.config import Settings
from alliance.db import Database
from api.app import create_app
from tests.fixtures.world import World

From = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def calling_from(db: Database, settings: Settings) -> AsyncIterator[From]:
    """One instance with a burst of 3 token requests; a client for each remote address."""
    app: Starlette = create_app(
        dataclasses.replace(settings, token_burst=3, token_rate=0.001), database=db
    )
    async with AsyncExitStack() as stack:
        stack.push_async_callback(app.state.buckets.close)

        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            return httpx.AsyncClient(transport=transport, base_url="http://testserver")

        yield client


async def _token(http: httpx.AsyncClient, client_id: str, secret: str = "wrong") -> httpx.Response:
    async with http:
        return await http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )


async def test_a_client_id_past_its_burst_gets_429_from_any_address(
    calling_from: From, world: World
) -> None:
    system, secret = await world.client_with_secret(await world.member())
    client = system.client_id

    allowed = [await _token(calling_from(f"192.0.2.{n}"), client, secret) for n in range(3)]
    refused = await _token(calling_from("192.0.2.99"), client, secret)

    assert [r.status_code for r in allowed] == [200] * 3
    assert refused.status_code == 429
    assert refused.json()["error"] == "temporarily_unavailable"
    assert int(refused.headers["retry-after"]) == 1000  # 1 missing at 0.001 per second
    assert refused.headers["cache-control"] == "no-store"


async def test_wrong_secrets_from_many_addresses_do_not_lock_the_client_out(
    calling_from: From, world: World
) -> None:
    # given someone who knows a member system's client id but not its secret
    system, secret = await world.client_with_secret(await world.member())
    client = system.client_id

    # when it tries wrong secrets from many addresses, past the client's burst
    guesses = [await _token(calling_from(f"203.0.113.{n}"), client) for n in range(6)]

    # then each guess is refused, and the member system still gets its token
    assert [g.status_code for g in guesses] == [401] * 6
    assert (await _token(calling_from("192.0.2.1"), client, secret)).status_code == 200


async def test_an_address_past_its_burst_gets_429_whatever_the_client_id(
    calling_from: From,
) -> None:
    answers = [await _token(calling_from("198.51.100.7"), f"cl_guess_{n}") for n in range(4)]
    other_address = await _token(calling_from("198.51.100.8"), "cl_guess_9")

    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[-1].json()["error"] == "temporarily_unavailable"
    assert other_address.status_code == 401
