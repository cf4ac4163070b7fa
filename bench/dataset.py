"""Benchmark dataset: DESIGN §9's alliance with N indicators, loaded by COPY into PostgreSQL.

170 members in 4 regions (EU 31%, AMER 30%, CN 25%, APAC 14%), 500 brands, N indicators
with their stored effective audiences (`indicators_grants`, `indicators_excludes`),
brands and ~2 sightings each. Members, brands and users go through the services; the
indicator tables are written with `copy_records_to_table` (asyncpg) in batches, so a
million indicators load in minutes. Everything is seeded: the same `--count` and `--seed`
give the same rows.

The values are built from templates whose normalised form is known; a sample of them is
checked against `alliance.indicators.normalize` (normalising a million values would take
longer than loading them). At the end the loader compares, for a sample of viewers, the
service's `indicators { totalCount }` (through the real ASGI app, with a real bearer
token) with an independent SQL count of what docs/sharing.md says each may list.

Usage: python -m bench.dataset --database-url postgresql://... [--count N] [--seed S]
(the database's public schema is dropped and recreated; `--drop-only` stops there).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import text

from alliance import migrate
from alliance.agreements import service as agreement_service
from alliance.brands import service as brand_service
from alliance.config import Environment, Settings
from alliance.db import Database
from alliance.indicators import search
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.normalize import IndicatorValue, normalize
from alliance.members import service as member_service
from alliance.users import service as user_service
from api.app import create_app
from auth.grants import user_token
from auth.keys import KeyRing, ensure_key
from auth.principals import viewer_for
from auth.tokens import TokenIssuer
from sharing import SYSTEM_VIEWER, Role
from sharing.audience import parse_audience
from sharing.audience_keys import exclude_key, grant_key, keys_column_value

REGION_SIZES = {"EU": 53, "AMER": 51, "CN": 42, "APAC": 24}  # 31/30/25/14 % of 170
BRANDS = 500
BATCH = 20_000
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
KINDS = ("DOMAIN", "URL", "STOREFRONT_URL", "EMAIL", "SELLER_ACCOUNT", "SOCIAL_HANDLE")
KIND_WEIGHTS = (20, 15, 10, 15, 28, 12)
SELLER_PLATFORMS = ("taobao", "aliexpress", "ebay", "dhgate", "shopee", "temu")
SOCIAL_PLATFORMS = ("instagram", "tiktok", "facebook")
WORDS = ("lux", "bags", "outlet", "deal", "replica", "shop", "style", "mode", "vip", "super")
# (audience shape, weight in %): most alliance-wide FULL, the rest as DESIGN §9 mixes them.
SHAPES = (
    ("alliance_full", 55),
    ("alliance_anonymous", 12),
    ("region", 10),
    ("members", 6),
    ("match_only", 7),
    ("excludes", 5),
    ("owner_only", 3),
    ("mixed", 2),
)


def audience_keys(
    grants: list[tuple[str, str, str]], excludes: list[uuid.UUID]
) -> list[str] | None:
    """The record's `audience_keys` as the triggers would set them: written with the row,
    the triggers that run after the grants' COPY find nothing to rewrite."""
    return keys_column_value(
        [grant_key(level, kind, key) for kind, key, level in grants]
        + [exclude_key(member) for member in excludes]
    )


INDICATOR_COLUMNS = (
    "id", "owner_member_id", "kind", "match_key", "value", "extra", "platform", "confidence",
    "evidence_level", "jurisdiction", "purpose", "tlp", "first_seen", "last_seen", "expires_at",
    "status", "external_id", "requested_audience", "personal_data_region", "policy_version",
    "created_at", "updated_at", "legal_hold", "audience_keys",
)  # fmt: skip
SIGHTING_COLUMNS = ("id", "indicator_id", "member_id", "kind", "at", "note", "disclosed")
VIEWER_EMAIL = "analyst-{region}-{index}@bench.example"


@dataclass
class World:
    """The members (id, region), their brands, and the sample viewers' emails."""

    members: list[tuple[uuid.UUID, str]]
    brands: dict[uuid.UUID, list[uuid.UUID]]
    viewers: list[str] = field(default_factory=list)


def asyncpg_url(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL."""
    return "postgresql://" + url.split("://", 1)[1]


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy (asyncpg driver) form of a PostgreSQL URL."""
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


async def reset_schema(url: str) -> None:
    connection = await asyncpg.connect(asyncpg_url(url))
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


async def seed_members(database: Database) -> World:
    """170 active, agreed members with 500 brands and one analyst in 5 sample members."""
    async with database.engine.begin() as connection:
        await connection.run_sync(migrate.upgrade_connection)
    members: list[tuple[uuid.UUID, str]] = []
    brands: dict[uuid.UUID, list[uuid.UUID]] = {}
    async with database.transaction() as session:
        for region, size in REGION_SIZES.items():
            for index in range(size):
                member = await member_service.invite(
                    session,
                    viewer=SYSTEM_VIEWER,
                    legal_name=f"Bench {region} Member {index:03d}",
                    region_code=region,
                )
                members.append((member.id, region))
                brands[member.id] = []
        for number in range(BRANDS):
            owner = members[number % len(members)][0]
            brand = await brand_service.create(
                session, viewer=SYSTEM_VIEWER, member_id=owner, name=f"Brand {number:03d}"
            )
            brands[owner].append(brand.id)
        agreement = await agreement_service.publish(
            session, viewer=SYSTEM_VIEWER, text="The bench alliance's agreement text."
        )
        # Activation through the service would need an admin per member to accept first.
        await session.execute(
            text("UPDATE members SET status = 'ACTIVE', accepted_agreement_version = :v"),
            {"v": agreement.version},
        )
        world = World(members, brands)
        # Sample viewers: the first member of each region (the largest owners) and one
        # small EU member.
        starts = [0, 53, 104, 146, 40]
        for start in starts:
            member_id, region = members[start]
            email = VIEWER_EMAIL.format(region=region.lower(), index=start)
            await user_service.invite(
                session, viewer=SYSTEM_VIEWER, member_id=member_id, email=email,
                roles=[Role.ANALYST],
            )  # fmt: skip
            world.viewers.append(email)
    return world


def _value(kind: str, number: int) -> tuple[str, str, dict[str, str], str | None]:
    """(display value, match key, extra, platform) of the `number`-th value: unique per
    kind, already in normalised form."""
    word = WORDS[number % len(WORDS)]
    site = f"{word}-{number % 9973:04d}"
    if kind == "DOMAIN":
        domain = f"{word}{number:07d}.com"
        return domain, domain, _web_extra(domain, domain), None
    if kind == "URL":
        url = f"https://{site}.com/p/{number:07d}"
        return url, url, _web_extra(f"{site}.com", f"{site}.com"), None
    if kind == "STOREFRONT_URL":
        url = f"https://shop{number:07d}.taobao.com/"
        return url, url, _web_extra(f"shop{number:07d}.taobao.com", "taobao.com"), None
    if kind == "EMAIL":
        email = f"{word}{number:07d}@{site}.com"
        return email, email, {"domain": f"{site}.com", "registrable_domain": f"{site}.com"}, None
    if kind == "SELLER_ACCOUNT":
        platform = SELLER_PLATFORMS[number % len(SELLER_PLATFORMS)]
        account = f"{word}seller{number:07d}"
        return account, f"{platform}:{account}", {}, platform
    platform = SOCIAL_PLATFORMS[number % len(SOCIAL_PLATFORMS)]
    handle = f"{word}deals{number:07d}"
    return f"@{handle}", f"{platform}:{handle}", {}, platform


def _web_extra(host: str, registrable: str) -> dict[str, str]:
    return {"host": host, "registrable_domain": registrable, "public_suffix": "com"}


def check_values(seed: int, samples: int = 300) -> None:
    """`_value` agrees with the service's normaliser on a sample of every kind."""
    rng = random.Random(seed)
    for _ in range(samples):
        kind, number = rng.choice(KINDS), rng.randrange(10_000_000)
        display, key, extra, platform = _value(kind, number)
        typed = display.removeprefix("@")
        given = IndicatorValue(
            value=typed, platform=None if platform is None else Platform(platform)
        )
        normalized = normalize(IndicatorKind(kind), given)
        got = (normalized.display, normalized.match_key, dict(normalized.extra))
        assert got == (display, key, extra), (kind, got, (display, key, extra))


class Generator:
    """Rows of every indicator table, batch by batch, from one seeded random stream."""

    def __init__(self, world: World, seed: int) -> None:
        self.rng = random.Random(seed)
        self.world = world
        self.member_ids = [member for member, _ in world.members]
        self.region_of = dict(world.members)
        # A few members own most records (Zipf-like), as in a real alliance.
        self.owner_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(world.members))]
        self.shapes = [shape for shape, _ in SHAPES]
        self.shape_weights = [weight for _, weight in SHAPES]
        self.counter = 0

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _audience(
        self, owner: uuid.UUID, shape: str
    ) -> tuple[list[tuple[str, str, str]], list[uuid.UUID], str, str]:
        """(grants as (kind, key, level), excludes, requested text, tlp) of one record."""
        rng, region = self.rng, self.region_of[owner]
        if shape == "alliance_full":
            return [("alliance", "", "FULL")], [], "alliance=FULL", "GREEN"
        if shape == "alliance_anonymous":
            return [("alliance", "", "ANONYMOUS")], [], "alliance=ANONYMOUS", "GREEN"
        if shape == "region":
            return [("region", region, "FULL")], [], f"region:{region}=FULL", "AMBER"
        if shape == "match_only":
            return [("alliance", "", "MATCH_ONLY")], [], "alliance=MATCH_ONLY", "GREEN"
        if shape == "owner_only":
            return [], [], "", "RED"
        others = rng.sample(self.member_ids, 6)
        others = [member for member in others if member != owner][:5]
        if shape == "members":
            chosen = others[: rng.randint(2, 5)]
            grants = [("member", str(member), "FULL") for member in chosen]
            return grants, [], ", ".join(f"member:{m}=FULL" for m in chosen), "RED"
        if shape == "excludes":
            excluded = others[: rng.randint(1, 3)]
            requested = ", ".join(["alliance=FULL", *(f"exclude:{m}" for m in excluded)])
            return [("alliance", "", "FULL")], excluded, requested, "AMBER"
        grants = [("alliance", "", "MATCH_ONLY"), ("region", region, "ANONYMOUS")]
        return grants, [], f"alliance=MATCH_ONLY, region:{region}=ANONYMOUS", "AMBER"

    def batch(self, size: int) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of `size` more indicators, keyed by table."""
        rng = self.rng
        owners = rng.choices(self.member_ids, self.owner_weights, k=size)
        shapes = rng.choices(self.shapes, self.shape_weights, k=size)
        kinds = rng.choices(KINDS, KIND_WEIGHTS, k=size)
        rows: dict[str, list[tuple[Any, ...]]] = {
            "indicators": [], "indicators_grants": [], "indicators_excludes": [],
            "indicator_brands": [], "sightings": [],
        }  # fmt: skip
        for owner, shape, kind in zip(owners, shapes, kinds, strict=True):
            self._one(rows, owner, shape, kind)
        return rows

    def _one(
        self, rows: dict[str, list[tuple[Any, ...]]], owner: uuid.UUID, shape: str, kind: str
    ) -> None:
        rng, number = self.rng, self.counter
        self.counter += 1
        record = self._uuid()
        display, key, extra, platform = _value(kind, number)
        grants, excludes, requested, tlp = self._audience(owner, shape)
        first_seen = NOW - dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))
        last_seen = first_seen + dt.timedelta(seconds=rng.randrange(90 * 86400))
        draw = rng.random()
        # Live records expire years after the wall clock: one expiring between the
        # service's count and the independent one would make them differ by one.
        status, expires = "ACTIVE", last_seen + dt.timedelta(days=3650)
        if draw < 0.02:
            status = "RETRACTED"
        elif draw < 0.03:
            status, expires = "EXPIRED", NOW - dt.timedelta(days=1)
        elif draw < 0.04:
            expires = NOW - dt.timedelta(days=2)  # lapsed, not yet marked by the job
        rows["indicators"].append((
            record, owner, kind, key, display, json.dumps(extra), platform, rng.randint(10, 100),
            rng.choice(("OBSERVED", "OBSERVED", "TEST_BUY", "PLATFORM_DECISION")), None,
            rng.choice(("TAKEDOWN", "TAKEDOWN", "MONITORING", "LITIGATION")), tlp, first_seen,
            last_seen, expires, status, f"bench-{number}", requested or None, None, 0, NOW, NOW,
            False, audience_keys(grants, excludes),
        ))  # fmt: skip
        rows["indicators_grants"].extend((record, *grant) for grant in grants)
        rows["indicators_excludes"].extend((record, member) for member in excludes)
        brands = self.world.brands[owner]
        if brands and rng.random() < 0.6:
            rows["indicator_brands"].append((record, rng.choice(brands)))
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
            at = last_seen + dt.timedelta(seconds=rng.randrange(86400 * 30))
            rows["sightings"].append((
                self._uuid(), record, rng.choice(self.member_ids),
                "SEEN" if rng.random() < 0.9 else "TAKEN_DOWN", at, None, rng.random() < 0.3,
            ))  # fmt: skip


COLUMNS = {
    "indicators": INDICATOR_COLUMNS,
    "indicators_grants": ("record_id", "target_kind", "target_key", "level"),
    "indicators_excludes": ("record_id", "member_id"),
    "indicator_brands": ("indicator_id", "brand_id"),
    "sightings": SIGHTING_COLUMNS,
}


def check_audiences(seed: int, world: World, samples: int = 300) -> None:
    """The requested text of a sample of records parses to the grants stored for them."""
    generator = Generator(world, seed)
    for _ in range(samples):
        owner = generator.rng.choice(generator.member_ids)
        shape = generator.rng.choice(generator.shapes)
        grants, excludes, requested, _ = generator._audience(owner, shape)
        parsed = parse_audience(requested)
        stored = {(g.target.kind.value, g.target.key, g.level.value) for g in parsed.grants}
        assert stored == set(grants) and parsed.excludes == frozenset(excludes), requested


async def load_indicators(url: str, world: World, count: int, seed: int) -> dict[str, int]:
    """COPY `count` indicators and their rows; returns rows written per table."""
    generator = Generator(world, seed)
    written = dict.fromkeys(COLUMNS, 0)
    connection = await asyncpg.connect(asyncpg_url(url))
    try:
        for start in range(0, count, BATCH):
            rows = generator.batch(min(BATCH, count - start))
            async with connection.transaction():
                for table, records in rows.items():
                    await connection.copy_records_to_table(
                        table, records=records, columns=COLUMNS[table]
                    )
                    written[table] += len(records)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return written


def _service_settings(keys: Path) -> tuple[Settings, TokenIssuer]:
    ensure_key(keys)
    # The cost limit and budget stay in the request path, set high enough that a bench of
    # many requests from one analyst is never refused.
    settings = Settings(
        environment=Environment.TEST,
        keys_dir=keys,
        issuer="http://bench",
        cost_max_per_request=10**9,
        cost_budget=10**12,
    )
    tokens = TokenIssuer(
        KeyRing(keys), issuer=settings.issuer, audience=settings.audience, ttl=3600
    )
    return settings, tokens


async def bearer(database: Database, tokens: TokenIssuer, email: str) -> tuple[str, uuid.UUID]:
    """A real access token of the user `email`, and the user's member."""
    async with database.session() as session:
        user = await user_service.by_email(session, email)
    assert user is not None and user.member_id is not None
    return user_token(tokens, user), user.member_id


def service(database: Database, keys: Path) -> tuple[Any, TokenIssuer]:
    """The real ASGI app on `database`, and the issuer its tokens come from."""
    settings, tokens = _service_settings(keys)
    return create_app(settings, database=database), tokens


# docs/sharing.md, written again by hand: the owner sees its own records (not purged);
# others list an ACTIVE, unexpired record that grants the alliance, their region or
# themselves FULL or ANONYMOUS, unless they are excluded. Two disjoint counts, so that
# PostgreSQL can run the EXISTS as a semi-join and the NOT EXISTS as an anti-join.
EXPECTED_COUNT = """
SELECT (SELECT count(*) FROM indicators WHERE purged_at IS NULL AND owner_member_id = $1)
     + (SELECT count(*) FROM indicators i
        WHERE i.purged_at IS NULL AND i.owner_member_id <> $1 AND i.status = 'ACTIVE'
          AND (i.expires_at IS NULL OR i.expires_at > now())
          AND EXISTS (SELECT FROM indicators_grants g
                      WHERE g.record_id = i.id AND g.level IN ('FULL', 'ANONYMOUS')
                        AND ((g.target_kind = 'alliance' AND g.target_key = '')
                             OR (g.target_kind = 'region' AND g.target_key = $2)
                             OR (g.target_kind = 'member' AND g.target_key = $1::text)))
          AND NOT EXISTS (SELECT FROM indicators_excludes x
                          WHERE x.record_id = i.id AND x.member_id = $1))
"""
COUNT_QUERY = "{ indicators(first: 1) { totalCount totalCountIsEstimate } }"


async def exact_count(database: Database, tokens: TokenIssuer, token: str) -> int:
    """The service's own count for the bearer of `token`, uncapped (the API caps it)."""
    async with database.session() as session:
        viewer = await viewer_for(session, tokens.verify(token))
    async with database.viewer_session(viewer) as session:
        total = await search.count(
            session, viewer=viewer, wanted=search.IndicatorFilter(), cap=10**9
        )
    return total.value


async def verify(url: str, database: Database, world: World, keys: Path) -> bool:
    """For each sample viewer, the service's count against the independent count (and
    the API's totalCount, an estimate beyond its cap, against both)."""
    app, tokens = service(database, keys)
    region_of = dict(world.members)
    connection = await asyncpg.connect(asyncpg_url(url))
    agreed = True
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for email in world.viewers:
                token, member = await bearer(database, tokens, email)
                response = await client.post(
                    "/graphql",
                    json={"query": COUNT_QUERY},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=600,
                )
                shown = response.json()["data"]["indicators"]
                served = await exact_count(database, tokens, token)
                expected = await connection.fetchval(EXPECTED_COUNT, member, region_of[member])
                same = "ok" if served == expected else "MISMATCH"
                agreed = agreed and served == expected
                kind = "estimate" if shown["totalCountIsEstimate"] else "exact"
                error = 100.0 * (shown["totalCount"] - expected) / max(expected, 1)
                print(
                    f"  {email:36} service {served:>9,}  independent SQL {expected:>9,}  {same}"
                    f"  (API totalCount {shown['totalCount']:,}, {kind}, {error:+.1f} %)"
                )
    finally:
        await connection.close()
    return agreed


async def build(url: str, count: int, seed: int, keys: Path) -> World:
    """Drop and rebuild the database at `url` with `count` indicators; print the timings."""
    check_values(seed)
    await reset_schema(url)
    started = time.perf_counter()
    database = Database(sqlalchemy_url(url))
    try:
        world = await seed_members(database)
        check_audiences(seed, world)
        members_done = time.perf_counter()
        written = await load_indicators(url, world, count, seed)
        loaded = time.perf_counter()
        total = sum(written.values())
        print(
            f"dataset: {count:,} indicators; members and brands {members_done - started:.1f} s; "
            f"COPY of {total:,} rows {loaded - members_done:.1f} s "
            f"({written['indicators'] / (loaded - members_done):,.0f} indicators/s, "
            f"{total / (loaded - members_done):,.0f} rows/s, ANALYZE included)"
        )
        print("  " + ", ".join(f"{table} {rows:,}" for table, rows in written.items()))
        print("check: indicators totalCount per viewer, service vs independent SQL")
        if not await verify(url, database, world, keys):
            raise SystemExit("The service's counts differ from the independent SQL count.")
    finally:
        await database.dispose()
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--drop-only", action="store_true", help="only empty the database")
    arguments = parser.parse_args()
    if arguments.drop_only:
        asyncio.run(reset_schema(arguments.database_url))
        return
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(build(arguments.database_url, arguments.count, arguments.seed, Path(tmp)))


if __name__ == "__main__":
    main()
