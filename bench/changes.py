"""Benchmark: a full pull of the change feed by one member system, next to raw SQL.

Builds DESIGN §9's alliance with N indicators (bench/dataset.py: COPY, so the change log
is written by the same triggers as any writer's), then, as the first sample viewer (a
large EU member), pulls `changes` from no cursor to the end, pages of `--first`:

- service: `alliance.indicators.changes.changes` in a viewer session, in process;
- API: the same pages through the real ASGI app (`/graphql`, bearer token), the events
  with the record's usual fields, parsed as a client would;
- baseline: the same viewer's visible rows read by raw SQL (asyncpg), keyset pages of the
  same size by id, with the predicate written by hand.

Each figure is records delivered per second, with this process's peak RSS after it.

Usage: python -m bench.changes --database-url postgresql://... [--count N] [--first F]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx

import alliance.models  # noqa: F401 - every model mapped before the first query
from alliance.db import Database
from alliance.indicators import changes as feed
from auth.principals import viewer_for
from bench import dataset
from bench.readpath import rss_mb
from sharing.policy import ViewerFacts
from sharing.predicate import Reach, wanted_keys

QUERY = """query Pull($after: String, $first: Int) { changes(after: $after, first: $first) {
  cursor hasMore events { __typename
    ... on UpsertEvent { record { id kind value matchKey platform confidence status
      firstSeen lastSeen expiresAt owner { label region } } }
    ... on RemoveEvent { id reason } } } }"""

# The viewer's rows by hand: its own, and others' ACTIVE unexpired ones its keys reach.
BASELINE = """
SELECT id, kind, value, match_key, platform, confidence, status, first_seen, last_seen,
       expires_at, owner_member_id
FROM indicators
WHERE id > $4 AND purged_at IS NULL
  AND (owner_member_id = $1
       OR (status = 'ACTIVE' AND (expires_at IS NULL OR expires_at > now())
           AND audience_keys && $2::text[] AND NOT audience_keys && $3::text[]))
ORDER BY id LIMIT $5
"""


async def _timed(label: str, pull: Callable[[], Awaitable[int]]) -> None:
    started = time.perf_counter()
    records = await pull()
    elapsed = time.perf_counter() - started
    _, peak = rss_mb()
    print(
        f"  {label:34} {records:>9,} records  {elapsed:7.2f} s  "
        f"{records / elapsed:>9,.0f} records/s  peak RSS {peak:,.0f} MB"
    )


async def _service(database: Database, token: str, tokens: object, first: int) -> int:
    async with database.session() as session:
        viewer = await viewer_for(session, tokens.verify(token))  # type: ignore[attr-defined]
    delivered, after = 0, None
    while True:
        async with database.viewer_session(viewer) as session:
            page = await feed.changes(session, viewer=viewer, after=after, first=first)
        delivered += sum(isinstance(event, feed.Upsert) for event in page.events)
        after = page.cursor
        if not page.has_more:
            return delivered


async def _api(app: object, token: str, first: int) -> int:
    delivered, after = 0, None
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        while True:
            response = await client.post(
                "/graphql",
                json={"query": QUERY, "variables": {"after": after, "first": first}},
                headers={"Authorization": f"Bearer {token}"},
                timeout=600,
            )
            page = response.json()["data"]["changes"]
            delivered += sum(e["__typename"] == "UpsertEvent" for e in page["events"])
            after = page["cursor"]
            if not page["hasMore"]:
                return delivered


async def _baseline(url: str, member: uuid.UUID, region: str, first: int) -> int:
    facts = ViewerFacts(member, region, can_read_shared=True)
    wanted = wanted_keys(facts, Reach.LIST.levels)
    excluded = [f"EXCLUDE:{member.hex}"]
    connection = await asyncpg.connect(dataset.asyncpg_url(url))
    try:
        delivered, after = 0, uuid.UUID(int=0)
        while True:
            rows = await connection.fetch(BASELINE, member, wanted, excluded, after, first)
            delivered += len(rows)
            if len(rows) < first:
                return delivered
            after = rows[-1]["id"]
    finally:
        await connection.close()


async def run(url: str, count: int, first: int, seed: int, keys: Path) -> None:
    world = await dataset.build(url, count, seed, keys)
    database = Database(dataset.sqlalchemy_url(url))
    try:
        app, tokens = dataset.service(database, keys)
        token, member = await dataset.bearer(database, tokens, world.viewers[0])
        region = dict(world.members)[member]
        print(f"change feed: a full pull by one EU member, pages of {first:,} (PostgreSQL)")
        await _timed("raw SQL, keyset by id", lambda: _baseline(url, member, region, first))
        await _timed("service, in process", lambda: _service(database, token, tokens, first))
        await _timed("API, /graphql", lambda: _api(app, token, first))
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--first", type=int, default=feed.MAX_FIRST)
    parser.add_argument("--seed", type=int, default=9)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(
            run(arguments.database_url, arguments.count, arguments.first, arguments.seed, Path(tmp))
        )


if __name__ == "__main__":
    main()
