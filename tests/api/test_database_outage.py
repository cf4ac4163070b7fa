"""While the database refuses connections the service answers 503 with Retry-After,
never 500, and says nothing of its internals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from alliance.config import Settings
from alliance.db import Database
from alliance.indicators.change_signal import ChangeSignal
from alliance.members.models import Member
from api.app import create_app
from api.graphql import AllianceGraphQL
from auth.middleware import ViewerUser
from schema.app_schema import build_schema
from schema.context import Context
from schema.ids import to_global_id
from sharing import Role
from tests.fixtures.indicators import member_viewer
from tests.fixtures.servers import free_port
from tests.fixtures.world import World


@pytest.fixture
async def unreachable() -> AsyncIterator[Database]:
    # a PostgreSQL URL on a loopback port where nothing listens: every connect is refused
    database = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/gone")
    yield database
    await database.dispose()


@pytest.fixture
async def down(settings: Settings, unreachable: Database) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(settings, database=unreachable)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert "127.0.0.1" not in response.text
    assert "Connect call failed" not in response.text


async def test_graphql_is_503_while_the_database_refuses_connections(
    down: httpx.AsyncClient, world: World
) -> None:
    # given a valid token (the database was up when it was issued)
    token = world.token(await world.user(await world.member(), Role.ANALYST))

    # when the service's database refuses connections
    response = await down.post(
        "/graphql",
        json={"query": "{ viewer { kind } }"},
        headers={"Authorization": f"Bearer {token}"},
    )

    # then the caller is told to come back, in GraphQL's shape
    assert_unavailable(response)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


@pytest.mark.parametrize(
    ("method", "path", "form"),
    [
        ("POST", "/oauth/token", {"grant_type": "client_credentials"}),
        ("POST", "/oauth/introspect", {"token": "t"}),
        ("GET", "/readyz", None),
        ("GET", "/login?domain=example.com", None),
    ],
)
async def test_other_endpoints_are_503_too(
    down: httpx.AsyncClient, method: str, path: str, form: dict[str, str] | None
) -> None:
    headers = {"Authorization": "Basic Y2xfeDpzZWNyZXQ="} if path.startswith("/oauth") else {}
    response = await down.request(method, path, data=form, headers=headers)
    assert_unavailable(response)


async def test_an_outage_during_execution_is_unavailable_not_internal(
    world: World, unreachable: Database
) -> None:
    # given a viewer already authenticated, whose request then reaches a dead database
    member: Member = await world.member()
    context = Context(viewer=member_viewer(member), database=unreachable)

    # when a query and a mutation run
    read = await build_schema().execute(
        "{ indicators(first: 1) { totalCount } }", context_value=context
    )
    write = await build_schema().execute(
        "mutation($id: ID!) { sightingAdd(input: {indicatorId: $id, kind: SEEN}) { errors { code } } }",
        variable_values={"id": to_global_id("Indicator", uuid.uuid4())},
        context_value=context,
    )

    # then each says the service is unavailable, with no detail
    for result in (read, write):
        assert result.errors is not None
        assert [e.extensions for e in result.errors] == [{"code": "UNAVAILABLE"}]
        assert "127.0.0.1" not in str(result.errors[0].message)


async def test_graphql_is_503_when_the_outage_hits_the_query_itself(
    world: World, unreachable: Database
) -> None:
    # given a caller the authentication middleware has already let in (the outage
    # begins after its check), in front of the real /graphql endpoint
    member = await world.member()
    viewer = ViewerUser(member_viewer(member))
    graphql = AllianceGraphQL(
        build_schema(),
        database=unreachable,
        secret_box=None,
        tokens=world.tokens,
        signal=ChangeSignal(unreachable),
    )

    async def authenticated(scope: Scope, receive: Receive, send: Send) -> None:
        await graphql({**scope, "user": viewer}, receive, send)

    # when a query reaches the database
    transport = httpx.ASGITransport(app=authenticated)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/graphql", json={"query": "{ indicators { totalCount } }"})

    # then the answer is 503 with Retry-After, not 200 with INTERNAL
    assert_unavailable(response)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
