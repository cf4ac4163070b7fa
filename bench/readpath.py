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
- the RSS of this process (the app and the bench client share it) after the run.

Usage: python -m bench.readpath --database-url postgresql://... [--count N] [--requests N]
       [--reuse] [--explain]
(`--reuse --requests 0 --explain`: the page's plans only, on the dataset in place.)
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from alliance.db import Database
from alliance.indicators.kinds import Platform
from bench import dataset

VIEWER = "analyst-eu-40@bench.example"
PAGE = (
    "{ indicators(first: 50) { totalCount edges { node { id value kind owner { label } "
    "brands { name } corroboration { members } } } } }"
)
SEARCH = (
    '{ indicators(first: 50, filter: {valuePrefix: "lux", kinds: [DOMAIN, EMAIL]}) '
    "{ totalCount edges { node { value kind owner { label } brands { name } "
    "corroboration { members } } } } }"
)
MATCH = (
    "query($values: [IndicatorValueInput!]!) "
    "{ match(values: $values) { matchKey members indicators { id } } }"
)
NODE = "query($id: ID!) { node(id: $id) { ... on Indicator { value kind owner { label } } } }"
VIEWER_KIND = "{ viewer { kind } }"
CLIENTS = 10

# The visibility predicate as sharing.predicate renders it on PostgreSQL: from the owner
# test through the closing parenthesis of its exclude test, NOT (<audience keys> && ...).
_PREDICATE = re.compile(r"indicators\.owner_member_id = \$\d+::UUID OR \$\d+::BOOLEAN AND ")
_EXCLUDES = re.compile(r"NOT \(\w+\.audience_keys && ")


def without_predicate(sql: str) -> str:
    """`sql` with every visibility predicate replaced by TRUE (the unfiltered baseline)."""
    while (found := _PREDICATE.search(sql)) is not None:
        excludes = _EXCLUDES.search(sql, found.end())
        if excludes is None:
            raise ValueError("The visibility predicate's shape is not the one expected.")
        opening = excludes.start() + len("NOT ")
        depth, position = 0, opening
        while True:
            depth += {"(": 1, ")": -1}.get(sql[position], 0)
            if depth == 0:
                break
            position += 1
        sql = sql[: found.start()] + "true" + sql[position + 1 :]
    return sql


def renumbered(sql: str, parameters: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """`sql` with its remaining $n renumbered 1.. and the arguments they take, in order."""
    used = sorted({int(number) for number in re.findall(r"\$(\d+)", sql)})
    mapping = {old: new for new, old in enumerate(used, start=1)}
    sql = re.sub(r"\$(\d+)", lambda m: f"${mapping[int(m.group(1))]}", sql)
    return sql, [parameters[old - 1] for old in used]


@dataclass
class Capture:
    """SQL statements and transactions the service ran while `on` is set."""

    on: bool = False
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    begins: int = 0

    def attach(self, database: Database) -> None:
        engine = database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)

    def _statement(self, _c: Any, _cur: Any, sql: str, parameters: Any, *_: Any) -> None:
        if self.on:
            self.statements.append((sql, tuple(parameters or ())))

    def _begin(self, _connection: Any) -> None:
        if self.on:
            self.begins += 1

    def reset(self) -> None:
        self.statements, self.begins = [], 0


@dataclass
class Row:
    label: str
    samples: list[float]
    statements: str = ""
    note: str = ""
    rate: float | None = None  # requests per second; default: one after another


def _ms(samples: list[float], quantile: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(quantile * (len(ordered) - 1)))] * 1000


async def timed(call: Callable[[], Awaitable[Any]], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def match_values(count: int, seed: int) -> list[dict[str, Any]]:
    """1,000 values of every template kind: about 80% held by someone, the rest unknown."""
    rng = random.Random(seed)
    values = []
    for _ in range(1000):
        kind = rng.choice(dataset.KINDS)
        number = rng.randrange(count) if rng.random() < 0.8 else count + rng.randrange(10**6)
        display, _, _, platform = dataset._value(kind, number)
        given: dict[str, Any] = {"kind": kind, "value": display.removeprefix("@")}
        if platform is not None:
            given["platform"] = Platform(platform).name
        values.append(given)
    return values


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

    async def row(self, label: str, query: str, times: int, **variables: Any) -> Row:
        await self.post(query, variables)  # warm: the counts below are of a later request
        self.capture.reset()
        self.capture.on = True
        await self.post(query, variables)
        self.capture.on = False
        counted = f"{len(self.capture.statements)} stmts, {self.capture.begins} BEGIN"
        samples = await timed(lambda: self.post(query, variables), times)
        return Row(label, samples, counted)


async def statements_of(service: Service, query: str) -> list[tuple[str, tuple[Any, ...]]]:
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
    label = f"page of 50, {clients} clients at once"
    return Row(label, samples, note="req/s: all clients together", rate=len(samples) / elapsed)


def page_statements(
    captured: list[tuple[str, tuple[Any, ...]]],
) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """The page's row statement and its count statement, as the service sent them."""
    found = {}
    for sql, parameters in captured:
        if "ORDER BY indicators.last_seen DESC" in sql:
            found["rows"] = (sql, parameters)
        elif sql.startswith("SELECT count(") and "indicators" in sql and "TABLESAMPLE" not in sql:
            found["count"] = (sql, parameters)
    return found


async def sql_rows(
    connection: asyncpg.Connection, label: str, sql: str, parameters: tuple[Any, ...], times: int
) -> list[Row]:
    """The statement with the predicate and unfiltered, each with jit as configured and off,
    and with PostgreSQL's generic plan (what a statement the service's pooled connection
    has prepared more than five times may get)."""
    rows = []
    jit = await connection.fetchval("SHOW jit")
    settings = ((jit, "auto", ""), ("off", "auto", ""), (jit, "force_generic_plan", ", generic"))
    for variant, text in (("policy", sql), ("TRUE", without_predicate(sql))):
        statement, arguments = renumbered(text, parameters)
        for setting, plans, note in settings:
            await connection.execute(f"SET jit = {setting}; SET plan_cache_mode = {plans}")
            prepared = await connection.prepare(statement)
            samples = await timed(functools.partial(prepared.fetch, *arguments), times)
            rows.append(Row(f"raw SQL {label}, {variant}, jit {setting}{note}", samples))
    await connection.execute("RESET jit; RESET plan_cache_mode")
    return rows


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB (Linux /proc)."""
    status = Path("/proc/self/status").read_text()
    values = dict(re.findall(r"(VmRSS|VmHWM):\s+(\d+) kB", status))
    return int(values["VmRSS"]) / 1024, int(values["VmHWM"]) / 1024


def print_table(count: int, times: int, rows: list[Row]) -> None:
    print(
        f"\nread path at {count:,} indicators (PostgreSQL; {times} runs each; GraphQL rows through the ASGI app, one client unless said)"
    )
    print(f"| {'request':46} | {'p50 ms':>9} | {'p99 ms':>9} | {'req/s':>7} | {'per request':34} |")
    print(f"|{'-' * 48}|{'-' * 11}|{'-' * 11}|{'-' * 9}|{'-' * 36}|")
    for row in rows:
        p50, p99 = _ms(row.samples, 0.5), _ms(row.samples, 0.99)
        rate = row.rate or len(row.samples) / sum(row.samples)
        detail = row.note or row.statements
        print(f"| {row.label:46} | {p50:9.1f} | {p99:9.1f} | {rate:7.1f} | {detail:34} |")


async def explain(connection: asyncpg.Connection, label: str, sql: str, parameters: Any) -> None:
    statement, arguments = renumbered(sql, parameters)
    plan = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *arguments)
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {label} statement:")
    for line in plan:
        print("  " + line[0])


async def measure(url: str, count: int, times: int, *, explain_plan: bool) -> None:
    """Print the table for the dataset in place (with `times` 0: the plans only)."""
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
                captured = page_statements(await statements_of(service, PAGE))
                searched = page_statements(await statements_of(service, SEARCH))
        if times:
            await _sql_table(connection, count, times, rows, captured, searched)
        if explain_plan:
            await explain(connection, "page's row", *captured["rows"])
            await explain(connection, "page's count", *captured["count"])
    finally:
        await connection.close()
        await database.dispose()


async def _sql_table(
    connection: asyncpg.Connection,
    count: int,
    times: int,
    rows: list[Row],
    *statements: dict[str, tuple[str, tuple[Any, ...]]],
) -> None:
    for label, found in zip(("page", "search"), statements, strict=True):
        for name in ("rows", "count"):
            if name not in found:
                print(f"(no {label} {name} statement captured: not measured)")
                continue
            sql, parameters = found[name]
            rows.extend(await sql_rows(connection, f"{label} {name}", sql, parameters, times))
    current, peak = rss_mb()
    print_table(count, times, rows)
    print(f"RSS of the process (app + bench client): {current:.0f} MB now, {peak:.0f} MB peak")


async def _service_rows(service: Service, count: int, times: int) -> list[Row]:
    first = await service.post(PAGE)
    some_id = first["indicators"]["edges"][0]["node"]["id"]
    values = match_values(count, seed=11)
    return [
        await service.row("page of 50", PAGE, times),
        await service.row("search (valuePrefix + kinds)", SEARCH, times),
        await service.row("match of 1,000 values", MATCH, times, values=values),
        await service.row("node(id)", NODE, max(times, 20), id=some_id),
        await service.row("{ viewer { kind } }", VIEWER_KIND, max(times, 50)),
    ]


def default_requests(count: int) -> int:
    """Few enough that one size runs in minutes: 50 at 10k, 20 at 100k, 5 at 1M."""
    return max(5, min(50, 2_000_000 // max(count, 1)))


async def run(url: str, count: int, times: int, *, reuse: bool, explain_plan: bool) -> None:
    if not reuse:
        with tempfile.TemporaryDirectory() as tmp:
            await dataset.build(url, count, seed=9, keys=Path(tmp))
    await measure(url, count, times, explain_plan=explain_plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to rebuild")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--reuse", action="store_true", help="measure the dataset already there")
    parser.add_argument("--explain", action="store_true", help="print the page's plans")
    arguments = parser.parse_args()
    times = arguments.requests
    if times is None:
        times = default_requests(arguments.count)
    asyncio.run(
        run(
            arguments.database_url,
            arguments.count,
            times,
            reuse=arguments.reuse,
            explain_plan=arguments.explain,
        )
    )


if __name__ == "__main__":
    main()
