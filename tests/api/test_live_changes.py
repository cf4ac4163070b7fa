"""The `changes` subscription over a real WebSocket (graphql-transport-ws) to real
`alliance serve` processes: the token is checked at connection_init and again before every
page, and a write through another instance reaches the subscriber."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from alliance.indicators.models import Indicator
from schema.ids import to_global_id
from sharing import Scope
from tests.fixtures.indicators import Intel
from tests.fixtures.servers import base_env, serving
from tests.fixtures.world import World

SUBSCRIBE = """subscription { changes { cursor hasMore events { __typename
  ... on UpsertEvent { record { id value } } ... on RemoveEvent { id reason } } } }"""
# A guard against a hung test, not a wait: every step below waits on a message.
PATIENCE = 20


def _token(base: str, client_id: str, secret: str) -> str:  # before the socket: may block
    answer = httpx.post(
        f"{base}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def _received(socket: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), PATIENCE))
    return message


async def _subscribed(base: str, token: str) -> Any:
    socket = await websockets.connect(
        base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"]
    )
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert (await _received(socket))["type"] == "connection_ack"
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return socket


def _upserted(message: dict[str, Any]) -> set[str]:
    assert message["type"] == "next", message
    events = message["payload"]["data"]["changes"]["events"]
    return {e["record"]["id"] for e in events if e["__typename"] == "UpsertEvent"}


def _id(record: Indicator) -> str:
    return to_global_id("Indicator", record.id)


@pytest.mark.e2e
async def test_a_write_through_another_instance_is_pushed_until_its_token_is_revoked_there(
    world: World, intel: Intel, tmp_path: Path
) -> None:
    owner = await world.member(region="EU")
    reader = await world.member(region="CN")
    first = await intel.indicator(owner, "alliance=FULL")
    await intel.indicator(owner, "region:EU=FULL")  # never the reader's
    reading, reading_secret = await world.client_with_secret(reader, [Scope.INDICATORS_READ])
    writing, writing_secret = await world.client_with_secret(owner, [Scope.SYNC])
    # One issuer for both instances, as behind one public address: each accepts the
    # other's tokens, and a revocation through one holds on the other.
    env = {**base_env(tmp_path, world.db.url), "ALLIANCE_ISSUER": "http://alliance.test"}

    with serving(env) as one, serving(env) as other:
        reading_token = _token(one, reading.client_id, reading_secret)
        socket = await _subscribed(one, reading_token)
        try:
            assert _upserted(await _received(socket)) == {_id(first)}  # what it may list now

            # the owner's system writes through the other instance
            upsert = """mutation { indicatorsUpsert(input: {items: [{value: {kind: EMAIL,
              value: "pushed@seller.example.com"}, audience: "alliance=FULL"}]}) {
              results { id status } } }"""
            token = _token(other, writing.client_id, writing_secret)
            async with httpx.AsyncClient(base_url=other, timeout=30) as client:
                answer = await client.post(
                    "/graphql", json={"query": upsert}, headers={"Authorization": f"Bearer {token}"}
                )
            written = answer.json()["data"]["indicatorsUpsert"]["results"][0]
            assert written["status"] == "CREATED"
            assert _upserted(await _received(socket)) == {written["id"]}

            # the reader's token is revoked through the other instance: at the next page
            # (a change wakes the socket) the first closes the socket
            async with httpx.AsyncClient(base_url=other, timeout=10) as client:
                revoked = await client.post(
                    "/oauth/revoke",
                    data={"token": reading_token},
                    auth=(reading.client_id, reading_secret),
                )
            assert revoked.status_code == 200
            await intel.indicator(owner, "alliance=FULL")
            with pytest.raises(ConnectionClosed) as closed:
                await _received(socket)
        finally:
            await socket.close()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


@pytest.mark.e2e
@pytest.mark.parametrize("payload", [{}, {"authorization": "Bearer not-a-token"}])
async def test_a_socket_without_a_valid_token_is_closed_at_connection_init(
    world: World, tmp_path: Path, payload: dict[str, str]
) -> None:
    with serving(base_env(tmp_path, world.db.url)) as base:
        async with websockets.connect(
            base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"]
        ) as socket:
            await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), PATIENCE)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


@pytest.mark.e2e
async def test_the_older_graphql_ws_protocol_is_not_spoken(world: World, tmp_path: Path) -> None:
    with serving(base_env(tmp_path, world.db.url)) as base:
        async with websockets.connect(
            base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-ws"]
        ) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), PATIENCE)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406  # subprotocol not acceptable


@pytest.mark.e2e
async def test_a_query_over_the_socket_is_refused(
    world: World, intel: Intel, tmp_path: Path
) -> None:
    # Over the socket only subscriptions read: a query's session would stay open with it.
    member = await world.member()
    await intel.indicator(member, "alliance=FULL")
    client, secret = await world.client_with_secret(member, [Scope.INDICATORS_READ])
    with serving(base_env(tmp_path, world.db.url)) as base:
        token = _token(base, client.client_id, secret)
        async with websockets.connect(
            base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"]
        ) as socket:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            await socket.send(json.dumps(init))
            assert (await _received(socket))["type"] == "connection_ack"
            query = "{ indicators(first: 1) { edges { node { id } } } }"
            await socket.send(
                json.dumps({"id": "q", "type": "subscribe", "payload": {"query": query}})
            )
            answer = await _received(socket)

    assert answer["type"] == "next", answer
    assert answer["payload"]["data"] is None
    [error] = answer["payload"]["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "only subscriptions" in error["message"]
