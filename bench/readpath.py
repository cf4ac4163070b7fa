"""Benchmark: the read path (issue 8) at one dataset size, each figure beside its raw SQL.

Builds the DESIGN §9 dataset with `bench.dataset` (or reuses it with `--reuse`), then,
for an analyst of a small EU member with a real bearer token, through the real ASGI app
(httpx ASGITransport, in this process):

- the analyst's page of 50, the same page filtered (valuePrefix + kinds), `match` of
  1,000 mixed values, `node(id)` and `{ viewer { kind } }` (the fixed cost of a request):
  p50 / p99 time per request, and how many SQL statements and transactions each runs;
- raw SQL baselines with asyncpg in the same run: the page and count statements exactly as
  the service emitted them (captured with SQLAlchemy's `before_cursor_execute`), and the
  same statements with every visibility predicate replaced by TRUE (unfiltered), each
  with PostgreSQL's `jit` as configured, with `jit = off`, and with the generic plan;
- the RSS of this process (the app and the bench client share it) after the run;
- with `--http`, the same requests over a real socket to `alliance serve` in its own
  process, from 1 and 10 client processes, and the server's RSS (bench.http).

The statements are recognised by their shape (bench.statements); a statement this bench
cannot read is named in the output and its rows left out, the run goes on.

Usage: python -m bench.readpath --database-url postgresql://... [--count N] [--requests N]
       [--reuse] [--explain] [--http]
(`--reuse --requests 0 --explain`: the page's plans only, on the dataset in place.)
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from alliance.db import Database
from bench import dataset, http
from bench.queries import (
    MATCH,
    NODE,
    PAGE,
    SEARCH,
    VIEWER,
    VIEWER_KIND,
    Request,
    default_requests,
    match_values,
    quantile_ms,
    requests,
)
from bench.statements import (
    Capture,
    Captured,
    NotRecognised,
    page_statements,
    renumbered,
    without_predicate,
)

__all__ = [
    "MATCH", "NODE", "PAGE", "SEARCH", "VIEWER", "VIEWER_KIND", "match_values",
    "page_statements", "renumbered", "without_predicate",
]  # fmt: skip

CLIENTS = 10


@dataclass
class Row:
    label: str
    samples: list[float]
    statements: str = ""
    note: str = ""
    rate: float | None = None  # requests per second; default: one after another


async def timed(call: Callable[[], Awaitable[Any]], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


class Service:
    """The ASGI app with a bearer token, and the statements each request runs."""

    def __init__(self, client: httpx.AsyncClient, token: str, capture: Capture) -> None:
        self.client, self.token, self.capture = client, token, capture

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=600,
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    async def row(self, request: Request, times: int) -> Row:
        query, variables = request.query, request.variables
        await self.post(query, variables)  # warm: the counts below are of a later request
        self.capture.reset()
        self.capture.on = True
        await self.post(query, variables)
        self.capture.on = False
        counted = f"{len(self.capture.statements)} stmts, {self.capture.begins} BEGIN"
        samples = await timed(lambda: self.post(query, variables), request.runs(times))
        return Row(request.label, samples, counted)


async def statements_of(service: Service, query: str) -> list[Captured]:
    await service.post(query)
    service.capture.reset()
    service.capture.on = True
    await service.post(query)
    service.capture.on = False
    return list(service.capture.statements)


async def concurrent_row(service: Service, query: str, clients: int, each: int) -> Row:
    """`clients` sequences of `each` requests at once, in this one process and event loop."""

    async def client() -> list[float]:
        return await timed(lambda: service.post(query), each)

    started = time.perf_counter()
    results = await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    samples = [sample for result in results for sample in result]
    label = f"page of 50, {clients} clients, one event loop"
    return Row(label, samples, note="req/s: all clients together", rate=len(samples) / elapsed)


async def sql_rows(
    connection: asyncpg.Connection, label: str, sql: str, parameters: tuple[Any, ...], times: int
) -> list[Row]:
    """The statement with the predicate and unfiltered, each with jit as configured and off,
    and with PostgreSQL's generic plan (what a statement the service's pooled connection
    has prepared more than five times may get). A statement whose predicate is not
    recognised gets a row saying so in place of its unfiltered figures."""
    rows, unfiltered = [], []
    jit = await connection.fetchval("SHOW jit")
    settings = ((jit, "auto", ""), ("off", "auto", ""), (jit, "force_generic_plan", ", generic"))
    variants = [("policy", sql)]
    try:
        variants.append(("TRUE", without_predicate(sql)))
    except NotRecognised as reason:
        unfiltered.append(Row(f"raw SQL {label}, TRUE", [], note=f"not measured: {reason}"))
    for variant, text in variants:
        statement, arguments = renumbered(text, parameters)
        for setting, plans, note in settings:
            await connection.execute(f"SET jit = {setting}; SET plan_cache_mode = {plans}")
            row = Row(f"raw SQL {label}, {variant}, jit {setting}{note}", [])
            try:
                prepared = await connection.prepare(statement)
                row.samples = await timed(functools.partial(prepared.fetch, *arguments), times)
            except asyncpg.PostgresError as error:  # a shape this bench rewrote wrongly
                row.note = f"failed: {type(error).__name__}: {error}"[:80]
            rows.append(row)
    await connection.execute("RESET jit; RESET plan_cache_mode")
    return rows + unfiltered


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB (Linux /proc)."""
    status = Path("/proc/self/status").read_text()
    values = dict(re.findall(r"(VmRSS|VmHWM):\s+(\d+) kB", status))
    return int(values["VmRSS"]) / 1024, int(values["VmHWM"]) / 1024


def print_table(count: int, times: int, rows: list[Row]) -> None:
    print(
        f"\nread path at {count:,} indicators (PostgreSQL; {times} runs each; GraphQL rows through the ASGI app in this process, one client unless said)"
    )
    print(f"| {'request':46} | {'p50 ms':>9} | {'p99 ms':>9} | {'req/s':>7} | {'per request':34} |")
    print(f"|{'-' * 48}|{'-' * 11}|{'-' * 11}|{'-' * 9}|{'-' * 36}|")
    for row in rows:
        detail = row.note or row.statements
        if not row.samples:
            print(f"| {row.label:46} | {'-':>9} | {'-':>9} | {'-':>7} | {detail:34} |")
            continue
        p50, p99 = quantile_ms(row.samples, 0.5), quantile_ms(row.samples, 0.99)
        rate = row.rate or len(row.samples) / sum(row.samples)
        print(f"| {row.label:46} | {p50:9.1f} | {p99:9.1f} | {rate:7.1f} | {detail:34} |")


async def explain(connection: asyncpg.Connection, label: str, sql: str, parameters: Any) -> None:
    statement, arguments = renumbered(sql, parameters)
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {label} statement:")
    try:
        plan = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *arguments)
    except asyncpg.PostgresError as error:
        print(f"  failed: {type(error).__name__}: {error}")
        return
    for line in plan:
        print("  " + line[0])


async def measure(url: str, count: int, times: int, *, explain_plan: bool) -> dict[str, str]:
    """Print the table for the dataset in place (with `times` 0: the plans only); return
    the statements and BEGINs each request ran, by its label."""
    database = Database(dataset.sqlalchemy_url(url))
    capture = Capture()
    capture.attach(database)
    connection = await asyncpg.connect(dataset.asyncpg_url(url))
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app, tokens = dataset.service(database, Path(tmp))
            token, _ = await dataset.bearer(database, tokens, VIEWER)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                service = Service(client, token, capture)
                if times:
                    rows = await _service_rows(service, count, times)
                    rows.append(await concurrent_row(service, PAGE, CLIENTS, max(1, times // 5)))
                page = await statements_of(service, PAGE)
                search = await statements_of(service, SEARCH)
        if times:
            await _sql_table(connection, count, times, rows, page, search)
        if explain_plan:
            await _explain_page(connection, page)
    finally:
        await connection.close()
        await database.dispose()
    return {row.label: row.statements for row in rows if row.statements}


async def _explain_page(connection: asyncpg.Connection, captured: list[Captured]) -> None:
    found, missing = page_statements(captured)
    for name, (sql, parameters) in found.items():
        await explain(connection, f"page's {name}", sql, parameters)
    for line in missing:
        print(f"\nEXPLAIN of the page: {line}")


async def _sql_table(
    connection: asyncpg.Connection,
    count: int,
    times: int,
    rows: list[Row],
    *requests: list[Captured],
) -> None:
    for label, captured in zip(("page", "search"), requests, strict=True):
        found, missing = page_statements(captured)
        for name, (sql, parameters) in found.items():
            rows.extend(await sql_rows(connection, f"{label} {name}", sql, parameters, times))
        rows.extend(Row(f"raw SQL {label}", [], note=line) for line in missing)
    current, peak = rss_mb()
    print_table(count, times, rows)
    print(f"RSS of the process (app + bench client): {current:.0f} MB now, {peak:.0f} MB peak")


async def _service_rows(service: Service, count: int, times: int) -> list[Row]:
    first = await service.post(PAGE)
    some_id = first["indicators"]["edges"][0]["node"]["id"]
    return [await service.row(request, times) for request in requests(count, some_id)]


async def run(
    url: str, count: int, times: int, *, reuse: bool, explain_plan: bool
) -> dict[str, str]:
    if not reuse:
        with tempfile.TemporaryDirectory() as tmp:
            await dataset.build(url, count, seed=9, keys=Path(tmp))
    return await measure(url, count, times, explain_plan=explain_plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to rebuild")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--reuse", action="store_true", help="measure the dataset already there")
    parser.add_argument("--explain", action="store_true", help="print the page's plans")
    parser.add_argument(
        "--http", action="store_true", help="and over a real socket to `alliance serve`"
    )
    arguments = parser.parse_args()
    times = arguments.requests
    if times is None:
        times = default_requests(arguments.count)
    statements = asyncio.run(
        run(
            arguments.database_url,
            arguments.count,
            times,
            reuse=arguments.reuse,
            explain_plan=arguments.explain,
        )
    )
    # After the event loop: the server and its clients are processes of their own.
    if arguments.http and times:
        http.measure(arguments.database_url, arguments.count, times, statements)


if __name__ == "__main__":
    main()
