"""The HTTP surface outside GraphQL, and what callers see when something breaks inside."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from alliance import migrate
from alliance.config import Environment, Settings
from alliance.db import Database
from api.app import create_app
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.world import World


async def test_health_readiness_and_keys_need_no_token(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    assert (await api.client.get("/readyz")).json() == {"database": True}
    keys = (await api.client.get("/.well-known/jwks.json")).json()["keys"]
    assert keys
    assert all(k["kty"] == "EC" and k["alg"] == "ES256" and "d" not in k for k in keys)


async def test_readiness_fails_when_the_database_is_unreachable(settings: Settings) -> None:
    database = Database("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    app = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get("/readyz")
    await database.dispose()
    assert response.status_code == 503
    assert response.json() == {"database": False}


@pytest.mark.parametrize(("graphiql", "status"), [(True, 200), (False, 401)])
async def test_graphiql_page_only_where_enabled(
    settings: Settings, graphiql: bool, status: int
) -> None:
    dev = Settings(
        environment=Environment.DEV,
        keys_dir=settings.keys_dir,
        issuer=settings.issuer,
        graphiql=graphiql,
    )
    app = create_app(dev, database=Database("sqlite+aiosqlite:///:memory:"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == status
    if graphiql:
        assert "graphiql" in response.text.lower()


async def test_graphiql_loads_from_this_service_only(settings: Settings) -> None:
    dev = Settings(environment=Environment.DEV, keys_dir=settings.keys_dir, graphiql=True)
    app = create_app(dev, database=Database("sqlite+aiosqlite:///:memory:"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assets = [await client.get(source) for source in sources if source != "data:,"]
    assert sources
    assert all(source.startswith(("/static/graphiql/", "data:")) for source in sources)
    assert [asset.status_code for asset in assets] == [200] * len(assets)
    assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("dev_login", [True, False])
async def test_the_landing_page_needs_no_token_and_names_no_member(
    settings: Settings, db: Database, world: World, dev_login: bool
) -> None:
    await world.member("Visible Nowhere SA")
    app = create_app(replace(settings, dev_login=dev_login, graphiql=True), database=db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        page = await client.get("/", headers={"Accept": "text/html"})
        directions = (await client.get("/", headers={"Accept": "application/json"})).json()
    assert page.status_code == 200
    assert 'href="/graphql"' in page.text
    assert ('href="/login/dev"' in page.text) is dev_login
    assert "Visible Nowhere" not in page.text + str(directions)
    assert directions["graphql"] == f"{settings.issuer}/graphql"
    assert directions["taxii"] == f"{settings.issuer}/taxii2/"
    assert directions["devLogin"] == (f"{settings.issuer}/login/dev" if dev_login else None)


async def test_without_graphiql_its_assets_are_not_served(api: Api) -> None:
    assert (await api.client.get("/static/graphiql/graphiql.min.js")).status_code == 404


async def test_internal_errors_reach_the_caller_without_details(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    # given a database whose brands table has vanished under the running service
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'broken.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(migrate.upgrade_connection)
    broken = World(db=database, tokens=world.tokens)
    token = broken.token(await broken.user(await broken.member("Broken SA"), Role.ANALYST))
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE brands"))
    app = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ members { edges { node { legalName brands { name } } } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    await database.dispose()
    body = response.json()
    assert body["data"] is None
    assert body["errors"] == [
        {
            "message": "Internal server error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["members"],
            "extensions": {"code": "INTERNAL"},
        }
    ]
    assert "brands" not in response.text.replace('"brands {', "")
