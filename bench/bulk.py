"""Benchmark: bulk writes of indicators through the service, next to COPY of the same rows.

Seeds 16 members in the four regions (one writer with 5 brands and a sharing policy: a
default audience, a ceiling that clips payment and bank accounts to region:EU, a standing
exclude), then, in one run:

- normalisation alone: `normalize` over every draft (its share of the service's time);
- service: `alliance.indicators.bulk.create_indicators` of N drafts (a realistic mix of
  kinds, audiences, brands and external ids) in one viewer transaction, commit included;
- the same batch again: every external id is held already, so nothing is written;
- baseline: the rows the service wrote (indicators, grants, excludes, brands, image
  segments, audit events) written again into empty copies of those tables (a second
  schema on PostgreSQL, a second file on SQLite, built from the same metadata, foreign
  keys and indexes included): COPY (`copy_records_to_table`) on PostgreSQL, the driver's
  `executemany` on SQLite, in one transaction.

- mutation: `indicatorsUpsert` through the ASGI app in process (bench/upsert.py), calls
  of 5,000, as a member system with the `sync` scope: another batch of the same mix and
  size (its own external ids), then that batch again (every item UNCHANGED).

The baseline copies the rows of both batches (the service's and the mutation's, the same
mix) and is counted per indicator, so each figure is next to COPY of rows of its own kind.

Usage: python -m bench.bulk [--database-url URL] [--count N] [--seed S] [--profile FILE]
(default: a fresh SQLite file; a PostgreSQL URL's public schema is dropped and recreated).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import asyncpg
from sqlalchemy import create_engine, text

from alliance import migrate
from alliance.agreements import service as agreement_service
from alliance.brands import service as brand_service
from alliance.db import Base, Database
from alliance.demo_values import Values
from alliance.indicators import bulk
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize import normalize
from alliance.members import service as member_service
from alliance.policies import service as policy_service
from bench.dataset import asyncpg_url, reset_schema, sqlalchemy_url
from bench.upsert import upsert_through_api
from sharing import SYSTEM_VIEWER, MemberStatus, PrincipalKind, Role, Scope, Viewer
from sharing.audience import Tlp, parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey

REGIONS = ("EU", "EU", "EU", "EU", "AMER", "AMER", "AMER", "AMER", "CN", "CN", "CN", "APAC")
MEMBERS = 16
# (kind, weight in %): what member systems push most, every kind present.
KINDS = (
    ("SELLER_ACCOUNT", 20), ("URL", 12), ("DOMAIN", 12), ("EMAIL", 12),
    ("STOREFRONT_URL", 8), ("SOCIAL_HANDLE", 8), ("PHONE", 6), ("LISTING", 5),
    ("MESSAGING_ID", 4), ("PAYMENT_ACCOUNT", 4), ("BANK_ACCOUNT", 2), ("COMPANY_ID", 2),
    ("TRACKING_NUMBER", 2), ("IMAGE_PDQ", 2), ("ADDRESS", 1),
)  # fmt: skip
# (audience text or None for the policy's default, TLP, weight in %).
AUDIENCES = (
    ("alliance=FULL", Tlp.GREEN, 40),
    (None, Tlp.AMBER, 20),
    ("alliance=ANONYMOUS", Tlp.GREEN, 10),
    ("region:{region}=FULL", Tlp.AMBER, 10),
    ("member:{a}=FULL, member:{b}=FULL", Tlp.RED, 5),
    ("alliance=FULL, exclude:{a}", Tlp.AMBER, 5),
    ("alliance=MATCH_ONLY", Tlp.GREEN, 5),
    ("", Tlp.RED, 5),
)
TABLES = (
    "indicators", "indicators_grants", "indicators_excludes", "indicator_brands",
    "indicator_image_segments", "audit_events",
)  # fmt: skip


async def seed_writer(database: Database) -> tuple[Viewer, list[uuid.UUID], list[uuid.UUID]]:
    """The writer's viewer, its brands and the other members' ids (through the services)."""
    async with database.engine.begin() as connection:
        await connection.run_sync(migrate.upgrade_connection)
    async with database.transaction() as session:
        members = [
            await member_service.invite(
                session,
                viewer=SYSTEM_VIEWER,
                legal_name=f"Bulk Bench Member {index:02d}",
                region_code=REGIONS[index % len(REGIONS)],
            )
            for index in range(MEMBERS)
        ]
        writer = members[0]
        brands = [
            (await brand_service.create(
                session, viewer=SYSTEM_VIEWER, member_id=writer.id, name=f"Brand {number}"
            )).id
            for number in range(5)
        ]  # fmt: skip
        agreement = await agreement_service.publish(
            session, viewer=SYSTEM_VIEWER, text="The bench alliance's agreement text."
        )
        # Activation through the service would need an admin per member to accept first.
        await session.execute(
            text("UPDATE members SET status = 'ACTIVE', accepted_agreement_version = :v"),
            {"v": agreement.version},
        )
    others = [member.id for member in members[1:]]
    fence = Ceiling(parse_audience("region:EU=FULL"))
    policy = MemberPolicy(
        member_id=writer.id,
        defaults={RuleKey(RecordType.INDICATOR): parse_audience("alliance=ANONYMOUS")},
        ceilings={
            RuleKey(RecordType.INDICATOR, "PAYMENT_ACCOUNT"): fence,
            RuleKey(RecordType.INDICATOR, "BANK_ACCOUNT"): fence,
        },
        standing_excludes=frozenset({others[-1]}),
    )
    async with database.transaction() as session:
        await policy_service.set_policy(session, viewer=SYSTEM_VIEWER, policy=policy)
    viewer = Viewer(
        kind=PrincipalKind.CLIENT,
        principal_id=uuid.uuid4(),
        member_id=writer.id,
        region=writer.region_code,
        roles=frozenset({Role.ANALYST}),
        scopes=frozenset({Scope.INDICATORS_READ, Scope.INDICATORS_WRITE}),
        member_status=MemberStatus.ACTIVE,
        agreed=True,
    )
    return viewer, brands, others


def drafts(
    count: int, seed: int, brands: list[uuid.UUID], others: list[uuid.UUID]
) -> list[IndicatorDraft]:
    """`count` drafts of the writer, the same for the same seed."""
    rng = random.Random(seed)
    values = Values(rng, "lumiere")
    kinds = rng.choices([IndicatorKind(k) for k, _ in KINDS], [w for _, w in KINDS], k=count)
    shapes = rng.choices(AUDIENCES, [w for _, _, w in AUDIENCES], k=count)
    made = []
    for number, (kind, (shape, tlp, _)) in enumerate(zip(kinds, shapes, strict=True)):
        a, b = rng.sample(others[:-1], 2)
        audience = None
        if shape is not None:
            audience = parse_audience(shape.format(region=rng.choice(REGIONS), a=a, b=b))
        chosen = tuple(rng.sample(brands, rng.choice((0, 0, 1, 1, 2))))
        made.append(
            IndicatorDraft(
                kind=kind,
                value=values.make(kind),
                brand_ids=chosen,
                confidence=rng.randint(10, 100),
                tlp=tlp,
                external_id=f"case-{seed}-{number:07d}",
                audience=audience,
            )
        )
    return made


def normalise_all(batch: Sequence[IndicatorDraft]) -> float:
    """Seconds to normalise every draft's value once."""
    started = time.perf_counter()
    for draft in batch:
        normalize(draft.kind, draft.value)
    return time.perf_counter() - started


async def write(
    database: Database, viewer: Viewer, batch: Sequence[IndicatorDraft], profile: Path | None
) -> tuple[float, int]:
    """Seconds for one bulk write of `batch` (commit included), and how many it created."""
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    async with database.viewer_transaction(viewer) as session:
        _ids, created = await bulk.create_indicators(session, viewer=viewer, drafts=batch)
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    return time.perf_counter() - started, len(created)


async def _empty_copy(url: str) -> None:
    """Schema `bench_copy`: every table of the metadata, empty but for the rows the
    batch's rows refer to (regions, the agreement, members, brands)."""
    connection = await asyncpg.connect(asyncpg_url(url))
    try:
        await connection.execute(
            "DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy"
        )
    finally:
        await connection.close()
    database = Database(sqlalchemy_url(url))
    try:
        async with database.engine.begin() as begun:
            copied = await begun.execution_options(schema_translate_map={None: "bench_copy"})
            await copied.run_sync(Base.metadata.create_all)
            for table in ("regions", "agreements", "members", "brands"):
                await copied.exec_driver_sql(
                    f"INSERT INTO bench_copy.{table} SELECT * FROM public.{table}"  # noqa: S608
                )
    finally:
        await database.dispose()


async def copy_postgresql(url: str, owner: uuid.UUID) -> tuple[float, int]:
    """Seconds to COPY the rows `owner`'s batch wrote into empty copies of the tables."""
    await _empty_copy(url)
    connection = await asyncpg.connect(asyncpg_url(url))
    try:
        rows = {table: await connection.fetch(_rows_of(table), owner) for table in TABLES}
        started = time.perf_counter()
        async with connection.transaction():
            for table, records in rows.items():
                if records:
                    columns = list(records[0].keys())
                    await connection.copy_records_to_table(
                        table, schema_name="bench_copy", records=records, columns=columns
                    )
        elapsed = time.perf_counter() - started
        await connection.execute("DROP SCHEMA bench_copy CASCADE")
    finally:
        await connection.close()
    return elapsed, sum(len(records) for records in rows.values())


def _rows_of(table: str) -> str:
    """The rows of `table` the owner's bulk write made (SQL with the owner as $1 / ?)."""
    mine = "SELECT id FROM indicators WHERE owner_member_id = $1"
    if table == "indicators":
        return "SELECT * FROM indicators WHERE owner_member_id = $1"
    if table == "audit_events":
        return (
            "SELECT * FROM audit_events WHERE action = 'indicator.create' AND actor_member_id = $1"
        )
    column = "indicator_id" if table.startswith("indicator_") else "record_id"
    return f"SELECT * FROM {table} WHERE {column} IN ({mine})"  # noqa: S608 - fixed names


def copy_sqlite(path: Path, owner: uuid.UUID) -> tuple[float, int]:
    """Seconds to insert the rows `owner`'s batch wrote into empty copies of the tables
    (a second SQLite file), with the driver's `executemany` in one transaction."""
    copy_path = path.with_name("bench-copy.db")
    copy_path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{copy_path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("ATTACH DATABASE ? AS bench_copy", (str(copy_path),))
        for table in ("regions", "agreements", "members", "brands"):
            connection.execute(f"INSERT INTO bench_copy.{table} SELECT * FROM main.{table}")  # noqa: S608
        rows = {}
        for table in TABLES:
            cursor = connection.execute(_rows_of(table).replace("$1", "?"), (owner.hex,))
            rows[table] = ([column[0] for column in cursor.description], cursor.fetchall())
        started = time.perf_counter()
        connection.execute("BEGIN")
        for table, (columns, records) in rows.items():
            marks = ", ".join("?" for _ in columns)
            connection.executemany(
                f"INSERT INTO bench_copy.{table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                records,
            )
        connection.execute("COMMIT")
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return elapsed, sum(len(records) for _, records in rows.values())


async def measure(url: str | None, count: int, seed: int, profile: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_path = Path(tmp) / "bench.db"
        if url is not None:
            await reset_schema(url)
        database = Database(sqlalchemy_url(url) if url else f"sqlite+aiosqlite:///{sqlite_path}")
        try:
            viewer, brands, others = await seed_writer(database)
            batch = drafts(count, seed, brands, others)
            # Another batch of the same mix: a normaliser's caches warmed here must not
            # speed up the service's write below.
            normalising = normalise_all(drafts(count, seed + 1, brands, others))
            first, created = await write(database, viewer, batch, profile)
            again, created_again = await write(database, viewer, batch, None)
            pushed = drafts(count, seed + 2, brands, others)
            assert viewer.member_id is not None
            through_api, statuses, body = await upsert_through_api(
                database, viewer.member_id, pushed
            )
            api_again, statuses_again, _ = await upsert_through_api(
                database, viewer.member_id, pushed
            )
        finally:
            await database.dispose()
        assert viewer.member_id is not None
        if url is not None:
            copying, rows = await copy_postgresql(url, viewer.member_id)
        else:
            copying, rows = copy_sqlite(sqlite_path, viewer.member_id)
    assert (created, created_again) == (count, 0), (created, created_again)
    assert statuses == {"CREATED": count}, statuses
    assert statuses_again == {"UNCHANGED": count}, statuses_again
    engine = "PostgreSQL" if url else "SQLite"
    baseline = "COPY" if url else "executemany"
    # The baseline copied both batches' rows: its time for one batch's worth.
    copying /= 2
    print(f"bulk write of {count:,} indicators ({engine}; {rows // 2:,} rows in 6 tables each)")
    _line(f"raw {baseline} of the same rows", count, copying, copying)
    _line("service, new records", count, first, copying)
    _line("  less normalisation", count, first - normalising, copying)
    _line("service, same batch again", count, again, copying, "nothing written")
    _line("indicatorsUpsert, new", count, through_api, copying, f"bodies up to {body:,} B")
    _line("indicatorsUpsert, again", count, api_again, copying, "all UNCHANGED")
    print(
        f"  normalisation alone: {count / normalising:,.0f} values/s "
        f"({normalising:.2f} s, another batch of the same mix; {normalising / first:.0%} of "
        "the service's write)"
    )


def _line(what: str, count: int, seconds: float, baseline: float, note: str = "") -> None:
    ratio = f"{baseline / seconds:5.2f}x the baseline's rate"
    print(f"  {what:30} {count / seconds:>9,.0f} indicators/s  {seconds:6.2f} s  {ratio}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (emptied); default SQLite")
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--profile", type=Path, default=None, help="cProfile of the first write")
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.database_url, arguments.count, arguments.seed, arguments.profile))


if __name__ == "__main__":
    main()
