"""A policy change interrupted by a crash is finished by the service itself (issue 7.6):
a real `alliance serve` on PostgreSQL is killed right after a policy change, restarted,
and without any manual command every record converges to the new policy, never wider
than it at any moment the test looks."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from alliance.db import Database
from alliance.indicators.models import Indicator
from alliance.members.models import Member
from alliance.policies.store import alliance_regions, current_policy
from sharing.audience import parse_audience
from sharing.policy import RecordType, ViewerFacts, effective_audience, level_for
from sharing.storage import stored_audiences
from tests.fixtures.servers import base_env, run, scratch_postgresql, serving_process

TEST_DATABASE = os.environ.get("ALLIANCE_TEST_DATABASE_URL")
RECORDS = 30
CONVERGENCE_DEADLINE_SECONDS = 60.0
SET_POLICY = """mutation($m: ID!, $ceiling: String!) { memberPolicySet(input: {memberId: $m,
  ceilings: [{recordType: INDICATOR, kind: EMAIL, audience: $ceiling}]}) {
  errors { code message } version reapplied } }"""


@pytest.fixture
def database_url() -> Iterator[str]:
    if TEST_DATABASE is None:
        pytest.skip("needs PostgreSQL (ALLIANCE_TEST_DATABASE_URL): instances share a database")
    with scratch_postgresql(TEST_DATABASE) as url:
        yield url


def _data(base: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _state(url: str, owner: uuid.UUID) -> tuple[int, int]:
    """Check that no record of `owner` gives any member more than its current policy
    allows; returns (records still on an older policy version, records whose stored
    audience differs from the exact one)."""
    database = Database(url)
    try:
        async with database.session() as session:
            policy, version = await current_policy(session, owner)
            regions = await alliance_regions(session)
            members = list(await session.scalars(select(Member)))
            rows = list(
                await session.scalars(select(Indicator).where(Indicator.owner_member_id == owner))
            )
            stored = await stored_audiences(session, Indicator, [row.id for row in rows])
    finally:
        await database.dispose()
    viewers = [ViewerFacts(m.id, m.region_code, True) for m in members if m.id != owner]
    stale = inexact = 0
    for row in rows:
        exact = effective_audience(
            None if row.requested_audience is None else parse_audience(row.requested_audience),
            owner_id=owner,
            tlp=row.tlp,
            policy=policy,
            record_type=RecordType.INDICATOR,
            kind=row.kind.value,
            regions=regions,
            personal_data_region=row.personal_data_region,
            reapplying=True,
        )
        for viewer in viewers:
            now, allowed = level_for(viewer, owner, stored[row.id]), level_for(viewer, owner, exact)
            wider = now is not None and (allowed is None or now.strength > allowed.strength)
            assert not wider, f"{row.id} gives {viewer.member_id} {now}, policy allows {allowed}"
        stale += row.policy_version != version
        inexact += stored[row.id] != exact
    return stale, inexact


def _converge(url: str, owner: uuid.UUID) -> None:
    """Poll the database in short steps until every record holds its exact audience on
    the current version (never wider meanwhile); fail after a generous deadline."""
    deadline = time.monotonic() + CONVERGENCE_DEADLINE_SECONDS
    while (state := asyncio.run(_state(url, owner))) != (0, 0):
        assert time.monotonic() < deadline, f"not converged: (stale, inexact) = {state}"
        time.sleep(0.2)


async def _hold_sweep_lock(url: str) -> asyncpg.Connection:
    from alliance.policies.reapply import SWEEP_LOCK_KEY

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, database=parsed.database
    )
    assert await connection.fetchval("SELECT pg_try_advisory_lock($1)", SWEEP_LOCK_KEY)
    return connection


@pytest.mark.e2e
def test_a_policy_change_killed_mid_way_is_finished_by_the_restarted_service(
    tmp_path: Path, database_url: str
) -> None:
    env = {
        **base_env(tmp_path, database_url),
        "ALLIANCE_REAPPLY_INLINE_LIMIT": "5",
        "ALLIANCE_REAPPLY_BATCH_SIZE": "10",
        "ALLIANCE_REAPPLY_SWEEP_SECONDS": "1",
        "ALLIANCE_ISSUER": "http://alliance.test",  # every instance is one service
    }
    run(env, "db", "upgrade")
    run(env, "demo")
    admin, analyst = (
        run(env, "token", "--user", f"{who}@maison-lumiere.example").strip()
        for who in ("admin", "analyst")
    )
    creates = " ".join(
        f'r{n}: indicatorCreate(input: {{value: {{kind: EMAIL, value: "crash{n}@fake-shop.com"}},'
        ' audience: "alliance=FULL"}) { errors { code } }'
        for n in range(RECORDS)
    )
    with serving_process(env) as (base, _first):
        # given an EU member holding more records than a change re-applies at once, its
        # emails capped at region:EU=FULL
        member = _data(base, analyst, "{ viewer { member { id } } }")["viewer"]["member"]["id"]
        assert all(
            not r["errors"] for r in _data(base, analyst, f"mutation {{ {creates} }}").values()
        )
        capped = _data(base, admin, SET_POLICY, m=member, ceiling="region:EU=FULL")
        assert capped["memberPolicySet"]["errors"] == []
        owner = asyncio.run(_owner_of(database_url))
        _converge(database_url, owner)

    # when its admins change the cap to alliance=ANONYMOUS (narrower for the EU, wider
    # for everyone else) and the instance is killed before any batch could run
    loop = asyncio.new_event_loop()
    lock = loop.run_until_complete(_hold_sweep_lock(database_url))
    try:
        with serving_process(env) as (base, process):
            changed = _data(base, admin, SET_POLICY, m=member, ceiling="alliance=ANONYMOUS")
            assert changed["memberPolicySet"]["errors"] == []
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        # then what it narrowed is narrowed already, and what it widens is still to do
        stale, _ = asyncio.run(_state(database_url, owner))
        assert stale >= RECORDS
    finally:
        loop.run_until_complete(lock.close())
        loop.close()

    # and a restarted instance finishes it by itself, never wider meanwhile
    with serving_process(env):
        _converge(database_url, owner)


async def _owner_of(url: str) -> uuid.UUID:
    database = Database(url)
    try:
        async with database.session() as session:
            owner = await session.scalar(
                select(Member.id).where(Member.legal_name == "Maison Lumière SA")
            )
    finally:
        await database.dispose()
    assert owner is not None
    return owner
