"""Benchmark: `similarImages` over N PDQ hashes, next to a brute-force scan in the same run.

Seeds the bench alliance (bench.directory: 170 members, an analyst), then N IMAGE_PDQ
indicators of random members with random hashes: 80% shared `alliance=FULL`, 10%
`alliance=MATCH_ONLY`, 10% owner only. Rows are written in bulk (indicator, grant and the
16 segments `alliance.indicators.images.segment_rows` gives), not one service call
each, so that 1,000,000 can be seeded in minutes. Each query is a seeded hash with 0-31
random bits flipped, so it has at least one near duplicate (if the viewer may see it).

Measured, in one run:
- baseline: brute force, the raw scan DESIGN §9 compares with: every IMAGE_PDQ match key
  read with one SQL query, Hamming distance computed for each (no visibility at all);
- service: `similarImages(pdq:, quality: 90, first: 100)` through the real ASGI app,
  bearer check and read audit included, p50 and p99;
- the lookup itself: `alliance.indicators.images.similar_images` on a viewer session;
- `{ viewer { kind } }` between the queries: what any request costs, to read the others by.
Every answer is checked against brute force with the seeded audiences.

Also printed: how many candidates the segment index proposes per request (the hashes
sharing a probed bucket, counted by a separate statement outside the timing), and the SQL
statements and transactions one request runs.

Usage: python -m bench.images [--database-url URL] [--count N] [--requests N] [--reuse]
       [--explain]
(default: a fresh SQLite file and 100,000 hashes; pass a PostgreSQL URL of an empty
database to measure there, e.g. --count 1000000). `--reuse` measures the images a
previous run left in that database (seeding 1,000,000 takes minutes); `--explain` prints
EXPLAIN (ANALYZE, BUFFERS) of each statement of one request (PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import distinct, func, insert, select, text

from alliance.audit.reads import ReadLog
from alliance.config import Environment, Settings
from alliance.db import Database, utcnow
from alliance.indicators.images import probe_buckets, segment_rows, similar_images
from alliance.indicators.models import ImageSegment, Indicator
from alliance.members.models import Member
from alliance.users import service as user_service
from api.app import create_app
from auth.grants import user_token
from auth.keys import KeyRing, ensure_key
from auth.tokens import TokenIssuer
from bench import dataset
from bench.directory import seed
from bench.queries import quantile_ms as _ms
from bench.statements import Capture, renumbered
from schema.ids import to_global_id
from sharing import MemberStatus, PrincipalKind, Role, Scope, Viewer
from sharing.storage import tables_of

QUERY = """query($pdq: String!) { similarImages(pdq: $pdq, quality: 90, first: 100) {
  distance indicator { id } } }"""
VIEWER_KIND = "{ viewer { kind } }"  # the fixed cost of any request, beside it
BASELINE = text("SELECT id, match_key FROM indicators WHERE kind = 'IMAGE_PDQ'")
BATCH = 5000
Seeded = list[tuple[uuid.UUID, int, uuid.UUID, str]]  # id, hash, owner, audience


def _indicator_row(record_id: uuid.UUID, owner: uuid.UUID, digits: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": record_id,
        "owner_member_id": owner,
        "kind": "IMAGE_PDQ",
        "match_key": digits,
        "value": digits,
        "extra": {"quality": "90"},
        "confidence": 50,
        "evidence_level": "OBSERVED",
        "purpose": "TAKEDOWN",
        "tlp": "AMBER",
        "first_seen": now,
        "last_seen": now,
        "status": "ACTIVE",
        "created_at": now,
        "updated_at": now,
        "policy_version": 0,
    }


async def seed_images(database: Database, count: int, rng: random.Random) -> Seeded:
    """`count` image indicators in bulk; returns what the brute-force check needs."""
    async with database.session() as session:
        members = list(await session.scalars(select(Member.id)))
    seeded: Seeded = []
    secondary = await _drop_secondary_indexes(database)
    for start in range(0, count, BATCH):
        indicators, grant_rows, segments = [], [], []
        for _ in range(min(BATCH, count - start)):
            record_id, owner, bits = uuid.uuid4(), rng.choice(members), rng.getrandbits(256)
            digits = f"{bits:064x}"
            draw = rng.random()
            audience = "FULL" if draw < 0.8 else "MATCH_ONLY" if draw < 0.9 else ""
            indicators.append(_indicator_row(record_id, owner, digits))
            if audience:
                grant_rows.append(
                    {
                        "record_id": record_id,
                        "target_kind": "alliance",
                        "target_key": "",
                        "level": audience,
                    }
                )
            segments.extend(segment_rows(record_id, digits))
            seeded.append((record_id, bits, owner, audience))
        await _write(database, indicators, grant_rows, segments)
    if database.dialect == "postgresql":
        async with database.transaction() as session:
            for definition in secondary:
                await session.execute(text(definition))
        # What autovacuum does to a table after a bulk load: statistics, and the
        # visibility map that lets index-only scans skip the table.
        async with database.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM (ANALYZE)"))
    return seeded


async def _drop_secondary_indexes(database: Database) -> list[str]:
    """PostgreSQL: drop the segment table's secondary indexes for the load and return their
    definitions (building an index once is much faster than 16 random inserts per image)."""
    if database.dialect != "postgresql":
        return []
    found = text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table "
        "AND indexname NOT LIKE 'pk\\_%'"
    )
    async with database.transaction() as session:
        rows = (await session.execute(found, {"table": ImageSegment.__tablename__})).all()
        for name, _ in rows:
            await session.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in rows]


async def _write(database: Database, *batches: list[dict[str, Any]]) -> None:
    """Indicators, grants and segments in one transaction: COPY on PostgreSQL (1,000,000
    images in minutes), multi-row INSERTs on SQLite."""
    tables = [Indicator.__table__, tables_of(Indicator).grants, ImageSegment.__table__]
    if database.dialect != "postgresql":
        async with database.transaction() as session:
            for table, rows in zip(tables, batches, strict=True):
                await session.execute(insert(table), rows)
        return
    async with database.engine.begin() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        # The rows are consistent by construction: no foreign-key trigger per segment row.
        await raw.execute("SET LOCAL session_replication_role = replica")
        for table, rows in zip(tables, batches, strict=True):
            columns = list(rows[0])
            records = [
                [json.dumps(v) if isinstance(v, dict) else v for v in row.values()] for row in rows
            ]
            await raw.copy_records_to_table(table.name, records=records, columns=columns)


def brute_force(seeded: Seeded, query: int, viewer_member: uuid.UUID) -> list[tuple[int, str]]:
    """What the viewer must get: FULL-shared or own records within 31, nearest first."""
    found = [
        ((query ^ bits).bit_count(), record_id)
        for record_id, bits, owner, audience in seeded
        if audience == "FULL" or owner == viewer_member
    ]
    nearest = sorted(hit for hit in found if hit[0] <= 31)[:100]
    return [(distance, to_global_id("Indicator", record_id)) for distance, record_id in nearest]


async def seeded_before(database: Database, count: int) -> Seeded:
    """The images a previous run seeded (`--reuse`), as `seed_images` returned them."""
    grants = tables_of(Indicator).grants
    statement = (
        select(
            Indicator.id,
            Indicator.match_key,
            Indicator.owner_member_id,
            func.coalesce(grants.c.level, ""),
        )
        .outerjoin(
            grants, (grants.c.record_id == Indicator.id) & (grants.c.target_kind == "alliance")
        )
        .where(Indicator.kind == "IMAGE_PDQ")
    )
    async with database.session() as session:
        rows = (await session.execute(statement)).all()
    if len(rows) != count:
        raise SystemExit(f"--reuse: the database holds {len(rows):,} images, not {count:,}")
    return [(record_id, int(key, 16), owner, level) for record_id, key, owner, level in rows]


def _queries(seeded: Seeded, requests: int, rng: random.Random) -> list[int]:
    # In id order, so that a fresh run and a --reuse run of the same seed ask the same.
    ordered = sorted(seeded)
    queries = []
    for _ in range(requests):
        bits = rng.choice(ordered)[1]
        for bit in rng.sample(range(256), rng.randint(0, 31)):
            bits ^= 1 << bit
        queries.append(bits)
    return queries


async def candidates(database: Database, query: int) -> int:
    """How many stored hashes share a probed bucket with `query`: what the index proposes."""
    statement = select(func.count(distinct(ImageSegment.indicator_id))).where(
        ImageSegment.bucket.in_(probe_buckets(f"{query:064x}"))
    )
    async with database.session() as session:
        return int(await session.scalar(statement) or 0)


async def explain(url: str, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement one request ran (PostgreSQL)."""
    connection = await asyncpg.connect(dataset.asyncpg_url(url))
    try:
        for number, (sql, parameters) in enumerate(statements, start=1):
            statement, arguments = renumbered(sql, parameters)
            plan = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *arguments)
            print(f"\nstatement {number}: {' '.join(sql.split())[:100]}")
            for line in plan:
                print("  " + line[0])
    finally:
        await connection.close()


async def _serve(
    app: Any,
    database: Database,
    seeded: Seeded,
    queries: list[int],
    member_id: uuid.UUID,
    token: str,
) -> tuple[list[float], list[float], list[tuple[str, tuple[Any, ...]]], int]:
    """Time every query through the app, check each answer against brute force; return the
    times, those of `{ viewer { kind } }` in between, the statements of one request and
    its transactions."""
    capture = Capture()
    capture.attach(database)
    statements: list[tuple[str, tuple[Any, ...]]] = []
    begins = 0
    fixed: list[float] = []
    served: list[float] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        headers = {"Authorization": f"Bearer {token}"}
        for number, query in enumerate(queries):
            variables = {"pdq": f"{query:064x}"}
            capture.reset()
            capture.on = number == 1  # a request after the first (warm)
            started = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": QUERY, "variables": variables}, headers=headers
            )
            served.append(time.perf_counter() - started)
            capture.on = False
            if number == 1:
                statements, begins = list(capture.statements), capture.begins
            body = response.json()
            assert response.status_code == 200 and "errors" not in body, body
            got = [
                (hit["distance"], hit["indicator"]["id"]) for hit in body["data"]["similarImages"]
            ]
            expected = brute_force(seeded, query, member_id)
            assert got == expected, (got, expected)
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": VIEWER_KIND}, headers=headers)
            fixed.append(time.perf_counter() - started)
            assert response.status_code == 200 and "errors" not in response.json()
    return served, fixed, statements, begins


async def _call(database: Database, seeded: Seeded, queries: list[int], user: Any) -> list[float]:
    """Time `similar_images` itself on a viewer session (no HTTP, GraphQL or bearer check:
    the lookup's own cost), each answer checked against brute force too."""
    async with database.session() as session:
        region = await session.scalar(select(Member.region_code).where(Member.id == user.member_id))
    viewer = Viewer(
        kind=PrincipalKind.USER,
        principal_id=user.id,
        member_id=user.member_id,
        region=region,
        roles=frozenset({Role.ANALYST}),
        scopes=frozenset(Scope),
        member_status=MemberStatus.ACTIVE,
        agreed=True,
    )
    samples = []
    for query in queries:
        started = time.perf_counter()
        async with database.viewer_session(viewer) as session:
            found = await similar_images(
                session, viewer=viewer, reads=ReadLog(), pdq=f"{query:064x}", quality=90, first=100
            )
        samples.append(time.perf_counter() - started)
        got = [(f.distance, to_global_id("Indicator", f.indicator.indicator.id)) for f in found]
        assert got == brute_force(seeded, query, user.member_id)
    return samples


async def measure(
    database_url: str | None, count: int, requests: int, *, reuse: bool, explain_plan: bool
) -> None:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if url.startswith("postgresql://"):
            url = dataset.sqlalchemy_url(url)
        database = Database(url)
        seeding = 0.0
        if reuse:
            email = "bench@bench.example"
            seeded = await seeded_before(database, count)
        else:
            email = await seed(database)
            started = time.perf_counter()
            seeded = await seed_images(database, count, rng)
            seeding = time.perf_counter() - started
        keys = Path(tmp) / "keys"
        ensure_key(keys)
        # The cost limit stays in the request path, its budget high enough for the bench.
        settings = Settings(
            environment=Environment.TEST, keys_dir=keys, issuer="http://bench", cost_budget=10**12
        )
        tokens = TokenIssuer(
            KeyRing(keys), issuer=settings.issuer, audience=settings.audience, ttl=600
        )
        async with database.session() as session:
            user = await user_service.by_email(session, email)
        assert user is not None and user.member_id is not None
        token = user_token(tokens, user)
        queries = _queries(seeded, requests, random.Random(2027))

        baseline: list[float] = []
        for query in queries[: max(3, requests // 10)]:  # a full scan each: fewer runs
            started = time.perf_counter()
            async with database.session() as session:
                rows = (await session.execute(BASELINE)).all()
            sorted(((query ^ int(key, 16)).bit_count(), rid) for rid, key in rows)
            baseline.append(time.perf_counter() - started)

        app = create_app(settings, database=database)
        served, fixed, statements, begins = await _serve(
            app, database, seeded, queries, user.member_id, token
        )
        called = await _call(database, seeded, queries, user)
        proposed = [await candidates(database, query) for query in queries]
        await database.dispose()
    engine = url.split(":", 1)[0]
    how = "reused" if reuse else f"seeded in {seeding:.0f} s"
    print(f"similarImages over {count:,} PDQ hashes ({engine}, {how})")
    print(f"  brute-force scan baseline  p50 {_ms(baseline, 0.5):8.2f} ms  ({len(baseline)} scans)")
    print(
        f"  similarImages (GraphQL)    p50 {_ms(served, 0.5):8.2f} ms  p99 {_ms(served, 0.99):8.2f}"
        f" ms  ({_ms(baseline, 0.5) / _ms(served, 0.5):.0f}x faster, {requests} requests, "
        "every answer equal to brute force)"
    )
    print(
        f"  similar_images() itself    p50 {_ms(called, 0.5):8.2f} ms  p99 {_ms(called, 0.99):8.2f}"
        " ms  (the service on a viewer session: no HTTP, GraphQL or bearer check)"
    )
    print(
        f"  {{ viewer {{ kind }} }}         p50 {_ms(fixed, 0.5):8.2f} ms  p99 {_ms(fixed, 0.99):8.2f}"
        " ms  (the fixed cost of any request, measured between the queries)"
    )
    print(
        f"  candidates per request     p50 {statistics.median(proposed):8.0f}     "
        f"max {max(proposed)} (hashes sharing a probed bucket)"
    )
    print(f"  per request                {len(statements)} SQL statements, {begins} BEGIN")
    if explain_plan and engine.startswith("postgresql"):
        await explain(url, statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="measure the images already there")
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    arguments = parser.parse_args()
    asyncio.run(
        measure(
            arguments.database_url,
            arguments.count,
            arguments.requests,
            reuse=arguments.reuse,
            explain_plan=arguments.explain,
        )
    )


if __name__ == "__main__":
    main()
