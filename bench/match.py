"""Benchmark: `match` of 1,000 mixed values, each figure beside its baselines in the same run.

Seeds the bench alliance (bench.directory: 170 members, an analyst), then N indicators of
the bench.dataset templates (DOMAIN, URL, STOREFRONT_URL, EMAIL, SELLER_ACCOUNT,
SOCIAL_HANDLE) owned by random members: 80% shared `alliance=FULL`, 10% `MATCH_ONLY`, 10%
owner only. Each request submits 1,000 new values (bench.readpath's mix, about 80% held
by someone), so no cache sees the same value twice. Measured, per 1,000 values:

- normalisation alone (`alliance.indicators.normalize`), and the same values through the
  libraries only (the plain-ASCII fast paths switched off: how normalisation ran before);
- the lookup's SQL alone: the statements `match` ran on `indicators`, captured from the
  service and replayed on the driver connection;
- `match(values:)` (one input object per value) and `match(groups:)` (values grouped by
  kind and platform) through the real ASGI app, bearer check, cost limit and read audit
  included, selecting `matchKey members indicators { id }`.

Usage: python -m bench.match [--database-url URL] [--count N] [--requests N]
(default: a fresh SQLite file and 10,000 indicators; a PostgreSQL database given as
postgresql://... is emptied first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, insert, select, text

from alliance.db import Database, utcnow
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.models import Indicator
from alliance.indicators.normalize import IndicatorValue, normalize
from alliance.members.models import Member
from bench import dataset
from bench.directory import seed
from bench.queries import grouped
from bench.readpath import MATCH as BY_VALUES
from bench.readpath import match_values
from sharing.storage import tables_of

BY_GROUPS = (
    "query($groups: [IndicatorValueGroupInput!]!) "
    "{ match(groups: $groups) { matchKey members indicators { id } } }"
)
BATCH = 5000
AUDIENCES = (("FULL", 0.8), ("MATCH_ONLY", 0.9), ("", 1.0))  # cumulative shares


def _row(record_id: uuid.UUID, owner: uuid.UUID, kind: str, number: int) -> dict[str, Any]:
    display, key, extra, platform = dataset._value(kind, number)
    now = utcnow()
    return {
        "id": record_id,
        "owner_member_id": owner,
        "kind": kind,
        "match_key": key,
        "value": display,
        "extra": extra,
        "platform": platform,
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


async def seed_indicators(database: Database, count: int, rng: random.Random) -> None:
    """`count` template indicators: values 0, 1, 2, ... of every kind in turn."""
    async with database.session() as session:
        members = list(await session.scalars(select(Member.id)))
    grants = tables_of(Indicator).grants
    for start in range(0, count, BATCH):
        rows, grant_rows = [], []
        for row in range(start, min(count, start + BATCH)):
            record_id = uuid.uuid4()
            kind, number = dataset.KINDS[row % len(dataset.KINDS)], row // len(dataset.KINDS)
            rows.append(_row(record_id, rng.choice(members), kind, number))
            draw = rng.random()
            level = next(level for level, share in AUDIENCES if draw < share)
            if level:
                grant_rows.append(
                    {"record_id": record_id, "target_kind": "alliance", "target_key": "",
                     "level": level}
                )  # fmt: skip
        async with database.transaction() as session:
            await session.execute(insert(Indicator), rows)
            await session.execute(insert(grants), grant_rows)
    if database.dialect == "postgresql":  # plans as on a table autovacuum has analysed
        async with database.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))


def _domain_values(values: list[dict[str, Any]]) -> list[tuple[IndicatorKind, IndicatorValue]]:
    return [
        (
            IndicatorKind(given["kind"]),
            IndicatorValue(
                value=given["value"],
                platform=Platform[given["platform"]] if "platform" in given else None,
            ),
        )
        for given in values
    ]


@contextlib.contextmanager
def libraries_only() -> Iterator[None]:
    """Normalisation with the plain-ASCII fast paths switched off, as before issue 8."""
    from alliance.indicators.normalize import _contact, _text, _web

    declined = {
        (_web, "plain_host_name"): lambda _name: None,
        (_web, "plain_url"): lambda _text: None,
        (_web, "has_punycode"): lambda _name: True,
        (_web, "may_be_ip_address"): lambda _text: True,
        (_contact, "plain_email"): lambda _text: None,
        (_text, "plain_identifier"): lambda _text: False,
    }
    saved = {(module, name): getattr(module, name) for module, name in declined}
    try:
        for (module, name), replacement in declined.items():
            setattr(module, name, replacement)
        yield
    finally:
        for (module, name), original in saved.items():
            setattr(module, name, original)


def normalise_all(values: list[tuple[IndicatorKind, IndicatorValue]]) -> None:
    for kind, value in values:
        normalize(kind, value)


class Captured:
    """The statements on `indicators` the engine runs while `on`."""

    def __init__(self, database: Database) -> None:
        self.on = False
        self.statements: list[tuple[str, Any]] = []
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if self.on and "FROM indicators" in sql and not sql.lstrip().startswith("INSERT"):
            self.statements.append((sql, parameters))


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered) * 1000:8.1f} ms  p99 {p99 * 1000:8.1f} ms  "
        f"min {ordered[0] * 1000:8.1f} ms"
    )


async def timed(call: Callable[[int], Awaitable[Any]], times: int) -> list[float]:
    samples = []
    for index in range(times):
        started = time.perf_counter()
        await call(index)
        samples.append(time.perf_counter() - started)
    return samples


def normalisation_rows(held_range: int, requests: int) -> list[tuple[str, list[float]]]:
    """Normalising 1,000 values, with the fast paths and with the libraries only."""
    switches: list[tuple[str, Callable[[], contextlib.AbstractContextManager[None]]]] = [
        ("normalisation, fast paths", contextlib.nullcontext),
        ("normalisation, libraries only (before)", libraries_only),
    ]
    rows = []
    for offset, (label, switch) in enumerate(switches):
        samples = []
        for index in range(requests):
            # values of their own: the per-name caches see each host once
            batch = match_values(held_range, seed=5000 + 1000 * offset + index)
            values = _domain_values(batch)
            with switch():
                started = time.perf_counter()
                normalise_all(values)
                samples.append(time.perf_counter() - started)
        rows.append((label, samples))
    return rows


class Service:
    """The real ASGI app on the bench database, called with the analyst's bearer token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.token = client, token

    async def match(self, query: str, variables: dict[str, Any]) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=600,
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]["match"]

    async def same_answers(self, values: list[dict[str, Any]]) -> int:
        """Check that both forms answer the same, value by value; how many are held."""
        one = await self.match(BY_VALUES, {"values": values})
        groups, order = grouped(values)
        other = await self.match(BY_GROUPS, {"groups": groups})
        assert [one[index] for index in order] == other, "the two forms disagree"
        return sum(1 for result in other if result["members"])


async def service_rows(
    service: Service, batches: list[list[dict[str, Any]]], forms: list[str]
) -> list[tuple[str, list[float]]]:
    async def by_values(index: int) -> Any:
        return await service.match(BY_VALUES, {"values": batches[index]})

    async def by_groups(index: int) -> Any:
        return await service.match(BY_GROUPS, {"groups": grouped(batches[index])[0]})

    rows = []
    if "values" in forms:
        rows.append(("match(values:) through the service", await timed(by_values, len(batches))))
    if "groups" in forms:
        rows.append(("match(groups:) through the service", await timed(by_groups, len(batches))))
    return rows


async def measure(database_url: str | None, count: int, requests: int, forms: list[str]) -> None:
    held_range = count // len(dataset.KINDS)  # values below it are held, of every kind
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if database_url:
            await dataset.reset_schema(database_url)
            url = dataset.sqlalchemy_url(database_url)
        database = Database(url)
        email = await seed(database)
        await seed_indicators(database, count, random.Random(2026))
        app, tokens = dataset.service(database, Path(tmp) / "keys")
        token, _ = await dataset.bearer(database, tokens, email)
        captured = Captured(database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            service = Service(client, token)
            captured.on = True
            held = await service.same_answers(match_values(held_range, seed=1))
            captured.on = False
            batches = [match_values(held_range, seed=1000 + index) for index in range(requests)]
            served = await service_rows(service, batches, forms)

        async def replay(_: int) -> None:
            async with database.engine.connect() as connection:
                for sql, parameters in captured.statements[len(captured.statements) // 2 :]:
                    await connection.exec_driver_sql(sql, parameters)

        rows = [("the lookup's SQL alone (replayed)", await timed(replay, requests))]
        await database.dispose()
    rows += normalisation_rows(held_range, requests) + served
    engine = url.split(":", 1)[0]
    print(
        f"match of 1,000 values over {count:,} indicators ({engine}, {requests} requests; "
        f"{held} of 1,000 values held by someone; "
        f"{len(captured.statements) // 2} statements on indicators per request)"
    )
    for label, samples in rows:
        print(f"  {label:40} {_ms(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database to empty")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--forms", default="values,groups", help="values, groups or both")
    arguments = parser.parse_args()
    forms = arguments.forms.split(",")
    asyncio.run(measure(arguments.database_url, arguments.count, arguments.requests, forms))


if __name__ == "__main__":
    main()
