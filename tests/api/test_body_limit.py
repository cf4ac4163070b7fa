"""Bodies over ALLIANCE_MAX_BODY_BYTES are refused with 413 before anything reads them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from tests.fixtures.graphql import ApiFactory
from tests.fixtures.world import World

LIMIT = 4096
INVITE = (
    'mutation { memberInvite(input: {legalName: "Padded Ltd", region: "EU"}) { errors { code } } }'
)


def padded_body(size: int) -> bytes:
    """A valid GraphQL request of `size` bytes: JSON padded with trailing whitespace."""
    body = json.dumps({"query": INVITE}).encode()
    return body + b" " * (size - len(body))


async def chunks(body: bytes, size: int = 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def _headers(world: World) -> dict[str, str]:
    admin = await world.alliance_admin()
    return {"Authorization": f"Bearer {world.token(admin)}", "Content-Type": "application/json"}


async def test_a_declared_length_over_the_limit_is_413_and_nothing_runs(
    api_with: ApiFactory, world: World
) -> None:
    api = await api_with(max_body_bytes=LIMIT)
    headers = await _headers(world)
    before = await world.audit_actions()

    refused = await api.client.post("/graphql", content=padded_body(LIMIT + 1), headers=headers)

    assert refused.status_code == 413
    assert await world.audit_actions() == before
    accepted = await api.client.post("/graphql", content=padded_body(LIMIT), headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert await world.audit_actions() != before


async def test_a_chunked_body_over_the_limit_is_413_and_nothing_runs(
    api_with: ApiFactory, world: World
) -> None:
    api = await api_with(max_body_bytes=LIMIT)
    headers = await _headers(world)
    before = await world.audit_actions()

    refused = await api.client.post(
        "/graphql", content=chunks(padded_body(LIMIT * 3)), headers=headers
    )

    assert "content-length" not in refused.request.headers
    assert refused.status_code == 413
    assert await world.audit_actions() == before
    accepted = await api.client.post(
        "/graphql", content=chunks(padded_body(LIMIT)), headers=headers
    )
    assert accepted.status_code == 200, accepted.text


async def test_the_token_endpoint_refuses_large_bodies_too(api_with: ApiFactory) -> None:
    api = await api_with(max_body_bytes=LIMIT)

    refused = await api.client.post(
        "/oauth/token",
        content=b"grant_type=client_credentials&x=" + b"a" * LIMIT,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert refused.status_code == 413
