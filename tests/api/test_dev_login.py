"""The dev-only demo login: any demo user, no identity provider; absent unless switched on."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from alliance.config import Settings
from alliance.db import Database
from api.app import create_app
from sharing import MemberStatus, Role
from tests.fixtures.graphql import Api
from tests.fixtures.world import World


@pytest.fixture
async def dev_browser(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(settings, dev_login=True), database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        yield browser


async def test_a_demo_user_logs_in_without_a_provider_and_gets_a_token(
    dev_browser: httpx.AsyncClient, world: World
) -> None:
    member = await world.member("Demo SA")
    await world.user(member, Role.ANALYST, email="analyst@demo.example")
    page = await dev_browser.get("/login/dev")
    assert "analyst@demo.example" in page.text
    signed_in = await dev_browser.post("/login/dev", data={"email": "analyst@demo.example"})
    assert signed_in.status_code == 200
    match = re.search(r'<pre id="token">([^<]+)</pre>', signed_in.text)
    assert match
    answer = await dev_browser.post(
        "/graphql",
        json={"query": "{ viewer { user { email } } }"},
        headers={"Authorization": f"Bearer {match.group(1)}"},
    )
    assert answer.json()["data"] == {"viewer": {"user": {"email": "analyst@demo.example"}}}


async def test_the_demo_login_signs_the_browser_in_for_apps(
    dev_browser: httpx.AsyncClient, world: World
) -> None:
    await world.user(await world.member(), Role.ANALYST, email="a@demo.example")
    response = await dev_browser.post(
        "/login/dev", data={"email": "a@demo.example", "next": "/oauth/authorize?x=1"}
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/oauth/authorize?x=1"
    assert "alliance_session" in response.cookies
    refused = await dev_browser.post(
        "/login/dev", data={"email": "a@demo.example", "next": "https://evil.example"}
    )
    assert refused.status_code == 400
    nobody = await dev_browser.post("/login/dev", data={"email": "nobody@demo.example"})
    assert nobody.status_code == 403


async def test_the_user_list_carries_only_a_next_that_was_asked_for(
    dev_browser: httpx.AsyncClient, world: World
) -> None:
    await world.user(await world.member(), Role.ANALYST, email="a@demo.example")
    # a newcomer opening the page: clicking a user leads to the token page, not to `/`
    plain = await dev_browser.get("/login/dev")
    assert 'name="next"' not in plain.text
    # an app's authorization request sent the browser here: the login returns there
    for_app = await dev_browser.get("/login/dev", params={"next": "/oauth/authorize?a=1&b=2"})
    assert '<input type="hidden" name="next" value="/oauth/authorize?a=1&amp;b=2">' in (
        for_app.text
    )


async def test_without_the_switch_there_is_no_demo_login(api: Api) -> None:
    client = api.client
    assert (await client.get("/login/dev")).status_code == 404
    assert (await client.post("/login/dev", data={"email": "a@b.example"})).status_code == 404


@pytest.mark.parametrize("status", [MemberStatus.SUSPENDED, MemberStatus.OFFBOARDED])
async def test_no_demo_login_for_a_person_whose_member_cannot_authenticate(
    dev_browser: httpx.AsyncClient, world: World, status: MemberStatus
) -> None:
    admin = await world.admin_of(await world.member(status=status))
    refused = await dev_browser.post("/login/dev", data={"email": admin.email})
    assert refused.status_code == 403
    assert 'id="token"' not in refused.text
    assert "alliance_session" not in refused.cookies
