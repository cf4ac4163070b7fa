"""Benchmark: the fixed cost of a request (issue 8, Build 4), each figure beside its raw SQL.

Seeds the demo alliance (`alliance demo`: 12 members, ~3,000 indicators) in an empty
database, then, as the demo's EU analyst with a real bearer token, through the real ASGI
app (httpx ASGITransport, in this process), measures one after another:

- `{ viewer { kind } }` (a request that reads nothing shared but the principal check),
- `node(id)` of an indicator with its owner's label,
- a page of 50 indicators with owner, brands and corroboration (no totalCount),

each as p50 / p99 and the SQL statements and BEGINs it runs (SQLAlchemy engine events).
In the same run, as the floor: the principal statement alone, the page's row statement
alone, and every statement of each request back to back, exactly as the service emitted
them (captured with `before_cursor_execute`), run by the driver on one held connection
(asyncpg on PostgreSQL without a transaction; the engine's connection on SQLite).

`--profile FILE` also writes cProfile's top functions for `{ viewer { kind } }` to FILE.

Usage: python -m bench.request [--database-url URL] [--requests N] [--profile FILE]
(default: a fresh SQLite file; a PostgreSQL URL names a database the bench may empty).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text

from alliance import demo, demo_intel, migrate
from alliance.config import Environment, Settings
from alliance.db import Database
from alliance.users import service as user_service
from api.app import create_app
from auth.grants import user_token
from auth.keys import KeyRing, ensure_key
from auth.tokens import TokenIssuer
from bench.statements import Capture, Captured

ANALYST = "analyst@maison-lumiere.example"
VIEWER_KIND = "{ viewer { kind } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Indicator { value kind owner { label } } } }"
PAGE = (
    "{ indicators(first: 50) { edges { node { id value kind owner { label } "
    "brands { name } corroboration { members } } } } }"
)
Call = Callable[[], Awaitable[Any]]


def _settings(keys: Path) -> Settings:
    # The cost limit and budget stay in the request path, high enough never to refuse.
    return Settings(
        environment=Environment.TEST,
        keys_dir=keys,
        issuer="http://bench",
        cost_max_per_request=10**9,
        cost_budget=10**12,
    )


async def seed(url: str, database: Database) -> None:
    """The demo alliance in an emptied database."""
    if url.startswith("postgresql"):
        connection = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await connection.close()
    async with database.engine.begin() as connection:
        await connection.run_sync(migrate.upgrade_connection)
    async with database.transaction() as session:
        await demo.seed(session)
        await demo_intel.seed_intel(session)
    if url.startswith("postgresql"):
        async with database.engine.connect() as connection:
            # Outside a transaction: statistics gathered in one that rolls back are lost
            # (the page's plans were then made with no statistics of audience_keys).
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))


async def timed(call: Call, times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def _ms(samples: list[float], quantile: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000


class Raw:
    """The driver, on one held connection: the statements alone, no ORM, no pool."""

    def __init__(self, url: str, database: Database) -> None:
        self.url, self.database = url, database
        self.pg: asyncpg.Connection | None = None
        self.connection: Any = None

    async def __aenter__(self) -> Raw:
        if self.url.startswith("postgresql"):
            self.pg = await asyncpg.connect("postgresql://" + self.url.split("://", 1)[1])
            await self.pg.execute("SET jit = off")  # as the service's connections
        else:
            self.connection = await self.database.engine.connect()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.pg is not None:
            await self.pg.close()
        if self.connection is not None:
            await self.connection.rollback()
            await self.connection.close()

    async def run(self, statements: list[Captured]) -> None:
        for sql, parameters in statements:
            if self.pg is not None:
                await self.pg.fetch(sql, *(parameters or ()))
            else:
                await self.connection.exec_driver_sql(sql, parameters)


def _page_statement(statements: list[Captured]) -> Captured:
    return next(s for s in statements if "LIMIT" in s[0] and "FROM indicators" in s[0])


async def measure(url: str, times: int, profile: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if url.startswith("postgresql://"):
            url = "postgresql+asyncpg://" + url.split("://", 1)[1]
        database = Database(url)
        started = time.perf_counter()
        await seed(url, database)
        print(f"seeded the demo alliance in {time.perf_counter() - started:.1f} s")
        keys = Path(tmp) / "keys"
        ensure_key(keys)
        settings = _settings(keys)
        tokens = TokenIssuer(
            KeyRing(keys), issuer=settings.issuer, audience=settings.audience, ttl=3600
        )
        async with database.session() as session:
            user = await user_service.by_email(session, ANALYST)
        assert user is not None
        headers = {"Authorization": f"Bearer {user_token(tokens, user)}"}
        capture = Capture()
        capture.attach(database)
        app = create_app(settings, database=database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def ask(query: str, variables: dict[str, Any] | None = None) -> Any:
                body = {"query": query, "variables": variables or {}}
                response = await client.post("/graphql", json=body, headers=headers)
                answer = response.json()
                assert response.status_code == 200 and "errors" not in answer, answer
                return answer["data"]

            page = await ask(PAGE)
            edges = page["indicators"]["edges"]
            assert len(edges) == 50, len(edges)
            node_id = edges[0]["node"]["id"]
            requests: list[tuple[str, Call]] = [
                ("{ viewer { kind } }", lambda: ask(VIEWER_KIND)),
                ("node(id)", lambda: ask(NODE, {"id": node_id})),
                ("page of 50 (owner, brands, corroboration)", lambda: ask(PAGE)),
            ]
            for _label, call in requests:  # warm caches (parser, validation, statements)
                await timed(call, 5)
            rows = [await _request_rows(label, call, capture, times) for label, call in requests]
            raw_rows = await _raw_rows(url, database, rows, times)
            if profile is not None:
                await _profile(profile, requests[0][1], times)
        await database.dispose()
    _print(url.split(":", 1)[0], times, rows, raw_rows)


@dataclass
class Measured:
    label: str
    samples: list[float]
    statements: list[Captured]
    begins: int


async def _request_rows(label: str, call: Call, capture: Capture, times: int) -> Measured:
    statements, begins = await capture.of(call)
    return Measured(label, await timed(call, times), statements, begins)


async def _raw_rows(
    url: str, database: Database, rows: list[Measured], times: int
) -> list[Measured]:
    viewer, _node, page = rows
    principal = viewer.statements[:1]
    found: list[Measured] = []
    async with Raw(url, database) as raw:
        for label, statements in [
            ("raw SQL: principal statement alone", principal),
            ("raw SQL: page row statement alone", [_page_statement(page.statements)]),
            *((f"raw SQL: all of {row.label}", row.statements) for row in rows),
        ]:
            await timed(lambda s=statements: raw.run(s), 5)
            samples = await timed(lambda s=statements: raw.run(s), times)
            found.append(Measured(label, samples, statements, 0))
    return found


async def _profile(path: Path, call: Call, times: int) -> None:
    """cProfile of `times` calls: everything this thread runs meanwhile, app and client."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        await call()
    profiler.disable()
    _write_profile(path, profiler, times)


def _write_profile(path: Path, profiler: cProfile.Profile, times: int) -> None:
    profiler.dump_stats(path.with_suffix(".prof"))  # for pstats or snakeviz
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"cProfile of {times} x {{ viewer {{ kind }} }}\n")
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)
    path.write_text(out.getvalue())
    print(f"profile written to {path}")


def _print(engine: str, times: int, rows: list[Measured], raw_rows: list[Measured]) -> None:
    print(f"\nThe fixed cost of a request ({engine}; {times} runs each, one client, in-process)")
    print(f"| {'request':44} | {'p50 ms':>7} | {'p99 ms':>7} | per request              |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 9}|{'-' * 26}|")
    for row in rows:
        per = f"{len(row.statements)} stmts, {row.begins} BEGIN"
        print(
            f"| {row.label:44} | {_ms(row.samples, 0.5):7.2f} | {_ms(row.samples, 0.99):7.2f} | {per:24} |"
        )
    for row in raw_rows:
        per = f"{len(row.statements)} stmts"
        print(
            f"| {row.label[:44]:44} | {_ms(row.samples, 0.5):7.2f} | {_ms(row.samples, 0.99):7.2f} | {per:24} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", type=Path, default=None)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.database_url, arguments.requests, arguments.profile))


if __name__ == "__main__":
    main()
