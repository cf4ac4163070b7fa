"""Benchmark: the member directory through GraphQL, next to the raw-database baseline.

Seeds 170 members with 3 brands each (DESIGN §9's alliance), then measures, in one run:
- baseline: the same rows read with one raw SQL query (members joined to brands);
- service: `{ members(first: 50) { edges { node { legalName region { code } brands { name } } } } }`
  through the real ASGI app, bearer check included.

Usage: python -m bench.directory [--database-url URL] [--requests N]
(default: a fresh SQLite file; pass a PostgreSQL URL of an empty database to measure there).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from alliance import migrate
from alliance.agreements import service as agreement_service
from alliance.brands import service as brand_service
from alliance.config import Environment, Settings
from alliance.db import Database
from alliance.members import service as member_service
from alliance.users import service as user_service
from api.app import create_app
from auth.grants import user_token
from auth.keys import KeyRing, ensure_key
from auth.tokens import TokenIssuer
from sharing import SYSTEM_VIEWER, Role

QUERY = "{ members(first: 50) { edges { node { legalName region { code } brands { name } } } } }"
BASELINE = text(
    "SELECT m.legal_name, m.region_code, b.name FROM members m LEFT JOIN brands b "
    "ON b.member_id = m.id WHERE m.status = 'ACTIVE' ORDER BY m.legal_name, m.id LIMIT 150"
)
REGIONS = ["EU"] * 31 + ["AMER"] * 30 + ["CN"] * 25 + ["APAC"] * 14


async def seed(database: Database) -> str:
    """170 active members with 3 brands each; returns the email of an analyst."""
    async with database.engine.begin() as connection:
        await connection.run_sync(migrate.upgrade_connection)
    async with database.transaction() as session:
        for index in range(170):
            member = await member_service.invite(
                session,
                viewer=SYSTEM_VIEWER,
                legal_name=f"Bench Member {index:03d}",
                region_code=REGIONS[index % len(REGIONS)],
            )
            for brand in range(3):
                await brand_service.create(
                    session, viewer=SYSTEM_VIEWER, member_id=member.id, name=f"Brand {brand}"
                )
        agreement = await agreement_service.publish(
            session, viewer=SYSTEM_VIEWER, text="The bench alliance's agreement text."
        )
        # Activation through the service would need an admin per member to accept first.
        await session.execute(
            text("UPDATE members SET status = 'ACTIVE', accepted_agreement_version = :v"),
            {"v": agreement.version},
        )
        user = await user_service.invite(
            session,
            viewer=SYSTEM_VIEWER,
            member_id=member.id,
            email="bench@bench.example",
            roles=[Role.ANALYST],
        )
    return user.email


def _p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def measure(database_url: str | None, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url)
        await seed(database)
        keys = Path(tmp) / "keys"
        ensure_key(keys)
        # The cost limit stays in the request path, its budget high enough for the bench.
        settings = Settings(
            environment=Environment.TEST,
            keys_dir=keys,
            issuer="http://bench",
            cost_budget=10**12,
        )
        tokens = TokenIssuer(
            KeyRing(keys), issuer=settings.issuer, audience=settings.audience, ttl=600
        )
        async with database.session() as session:
            user = await user_service.by_email(session, "bench@bench.example")
        assert user is not None
        token = user_token(tokens, user)
        app = create_app(settings, database=database)

        baseline: list[float] = []
        for _ in range(requests):
            started = time.perf_counter()
            async with database.session() as session:
                (await session.execute(BASELINE)).all()
            baseline.append(time.perf_counter() - started)

        served: list[float] = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(requests):
                started = time.perf_counter()
                response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
                served.append(time.perf_counter() - started)
                assert response.status_code == 200 and "errors" not in response.json()
        await database.dispose()
    engine = url.split(":", 1)[0]
    print(f"directory page of 50 members with brands ({engine}, {requests} requests)")
    print(f"  raw SQL baseline  p50 {_p50_ms(baseline):7.2f} ms")
    print(
        f"  GraphQL service   p50 {_p50_ms(served):7.2f} ms  ({_p50_ms(served) / _p50_ms(baseline):.1f}x baseline)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.database_url, arguments.requests))


if __name__ == "__main__":
    main()
