"""kill -9 in the middle of a bulk upsert (issue 9): a real `alliance serve` on PostgreSQL
is killed while its `indicatorsUpsert` transaction has written the call's indicators but
not committed; nothing of the call remains, and the same call sent again to a new
process creates everything once, then finds it all unchanged."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.fixtures.servers import base_env, run, scratch_postgresql, serving_process

TEST_DATABASE = os.environ.get("ALLIANCE_TEST_DATABASE_URL")
ITEMS = 2000
UPSERT = """mutation($items: [IndicatorUpsertItemInput!]!) {
  indicatorsUpsert(input: {items: $items}) { errors { code } results { status } } }"""
# A guard against a hung test, not a wait: every step waits on the database's own state.
PATIENCE = 60.0


@pytest.fixture
def database_url() -> Iterator[str]:
    if TEST_DATABASE is None:
        pytest.skip("needs PostgreSQL (ALLIANCE_TEST_DATABASE_URL): a lock holds the call")
    with scratch_postgresql(TEST_DATABASE) as url:
        yield url


async def _connect(url: str) -> asyncpg.Connection:
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, database=parsed.database
    )


def _items() -> list[dict[str, Any]]:
    return [
        {
            "value": {"kind": "EMAIL", "value": f"crash{n}@seller-mail.com"},
            "externalId": f"crash-{n}",
            "audience": "alliance=FULL",
        }
        for n in range(ITEMS)
    ]


def _token(base: str, client_id: str, secret: str) -> str:
    answer = httpx.post(
        f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _statuses(base: str, token: str) -> list[str]:
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": UPSERT, "variables": {"items": _items()}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    payload = answer.json()["data"]["indicatorsUpsert"]
    assert payload["errors"] == [], payload
    return [result["status"] for result in payload["results"]]


async def _held_call(url: str, base: str, token: str, process: Any) -> int:
    """Send the call while the audit table is locked, wait until the server's transaction
    is blocked on that lock (its indicators written, not committed), kill -9 the server;
    return how many of its indicators a reader could see meanwhile (none: uncommitted)."""
    holder = await _connect(url)
    watcher = await _connect(url)
    try:
        await holder.execute("BEGIN")
        await holder.execute("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE")
        sending = asyncio.create_task(asyncio.to_thread(_statuses, base, token))
        deadline = time.monotonic() + PATIENCE
        while not await watcher.fetchval(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'audit_events'::regclass"
        ):
            assert time.monotonic() < deadline, "the upsert never reached the audit events"
            assert not sending.done(), "the call ended before it was held"
            await asyncio.sleep(0.05)
        seen: int = await watcher.fetchval(
            "SELECT count(*) FROM indicators WHERE external_id LIKE 'crash-%'"
        )
        os.kill(process.pid, signal.SIGKILL)
        with pytest.raises(httpx.TransportError):
            await sending  # the connection died with the server
        await holder.execute("ROLLBACK")
        return seen
    finally:
        await holder.close()
        await watcher.close()


@pytest.mark.e2e
def test_a_killed_upsert_leaves_nothing_and_its_retry_is_idempotent(
    tmp_path: Path, database_url: str
) -> None:
    env = base_env(tmp_path, database_url)
    run(env, "db", "upgrade")
    demo = run(env, "demo")
    client_id, secret = next(
        line.split()[-2:]
        for line in demo.splitlines()
        if "Maison Lumière SA" in line and "cl_" in line
    )

    with serving_process(env) as (base, process):
        seen = asyncio.run(_held_call(database_url, base, _token(base, client_id, secret), process))
    assert seen == 0

    async def stored() -> int:
        connection = await _connect(database_url)
        try:
            # the dead server's transaction is gone: PostgreSQL rolled it back
            return int(
                await connection.fetchval(
                    "SELECT count(*) FROM indicators WHERE external_id LIKE 'crash-%'"
                )
            )
        finally:
            await connection.close()

    assert asyncio.run(stored()) == 0
    with serving_process(env) as (base, _process):
        token = _token(base, client_id, secret)
        assert _statuses(base, token) == ["CREATED"] * ITEMS
        assert _statuses(base, token) == ["UNCHANGED"] * ITEMS
    assert asyncio.run(stored()) == ITEMS
