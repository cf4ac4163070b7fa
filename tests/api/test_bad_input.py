"""Malformed HTTP input is the endpoint's own 400 answer, never a 500, never stored."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from alliance.config import Settings
from alliance.db import Database
from api.app import create_app
from auth.return_paths import InvalidReturnPath, require_return_path
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
OAUTH_POSTS = ["/oauth/token", "/oauth/revoke", "/oauth/introspect"]
BAD_FORMS = {
    "nul": b"grant_type=client_credentials&client_id=a%00b&client_secret=x&token=t",
    "not-utf8": b"grant_type=client_credentials&client_id=%ff%fe&client_secret=x&token=t",
    "raw-not-utf8": b"grant_type=client_credentials&client_id=\xff\xfe&client_secret=x&token=t",
}


@pytest.fixture
async def dev_browser(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(settings, dev_login=True), database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        yield browser


def invalid_request(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request", response.text


@pytest.mark.parametrize("path", OAUTH_POSTS)
@pytest.mark.parametrize("body", BAD_FORMS.values(), ids=BAD_FORMS.keys())
async def test_oauth_forms_with_control_characters_or_bad_encoding_are_invalid_requests(
    api: Api, path: str, body: bytes
) -> None:
    invalid_request(await api.client.post(path, content=body, headers=FORM))


async def test_a_nul_in_basic_credentials_is_an_invalid_client(api: Api) -> None:
    credentials = base64.b64encode(b"a\x00b:secret").decode()
    response = await api.client.post(
        "/oauth/token",
        content=b"grant_type=client_credentials",
        headers={**FORM, "Authorization": f"Basic {credentials}"},
    )
    invalid_request(response)


async def test_authorize_with_a_nul_in_the_query_is_an_invalid_request(
    dev_browser: httpx.AsyncClient, world: World
) -> None:
    # given a browser signed in as a demo user
    user = await world.user(await world.member(), Role.ANALYST)
    await dev_browser.post("/login/dev", data={"email": user.email, "next": "/"})

    # when an authorization request carries a NUL in its client id
    response = await dev_browser.get(
        "/oauth/authorize?response_type=code&client_id=a%00b&code_challenge=x"
        "&code_challenge_method=S256&redirect_uri=https://a.example/cb"
    )

    invalid_request(response)


@pytest.mark.parametrize("body", [b"email=a%00b@x.example", b"email=\xff@x.example", b"next=%00"])
async def test_the_demo_login_refuses_malformed_forms(
    dev_browser: httpx.AsyncClient, body: bytes
) -> None:
    invalid_request(await dev_browser.post("/login/dev", content=body, headers=FORM))


@pytest.mark.parametrize(
    "body",
    [b'"query"', b"null", b"42", b"[]", b'{"query": "{ viewer { kind } }"}\xff', b"\xff\xfe{}"],
    ids=["string", "null", "number", "list", "trailing-not-utf8", "not-utf8"],
)
async def test_graphql_bodies_that_are_not_a_json_object_are_400(
    api: Api, world: World, body: bytes
) -> None:
    token = world.token(await world.user(await world.member()))
    response = await api.client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_two_operations_without_an_operation_name_run_neither(
    api: Api, world: World, db: Database
) -> None:
    member = await world.member()
    token = world.token(await world.user(member, Role.MEMBER_ADMIN))
    document = (
        "mutation A { agreementAccept(version: 1) { errors { code } } } query B { viewer { kind } }"
    )
    response = await api.post(document, token=token)
    body = response.json()
    assert response.status_code in {200, 400}
    assert body.get("data") is None, body
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"


@pytest.mark.parametrize(
    "path",
    [
        "/login?domain=a%00b.example",
        "/login?member=%ff",
        "/auth/callback?state=%00&code=x",
        "/oauth/authorize?client_id=%00",
    ],
)
async def test_every_query_string_outside_graphql_is_clean(api: Api, path: str) -> None:
    invalid_request(await api.client.get(path))


async def test_a_missing_query_and_a_mutation_over_get_are_refused_not_internal(
    api: Api, world: World
) -> None:
    token = world.token(await world.user(await world.member()))
    headers = {"Authorization": f"Bearer {token}"}
    missing = await api.client.post("/graphql", json={"variables": {}}, headers=headers)
    over_get = await api.client.get(
        "/graphql",
        params={"query": "mutation { agreementAccept(version: 1) { errors { code } } }"},
        headers=headers,
    )
    for response in (missing, over_get):
        assert 400 <= response.status_code < 500, response.text
        assert "INTERNAL" not in response.text


@pytest.mark.parametrize(
    "variables",
    [b"1" * 5000, b"[" * 100_000 + b"]" * 100_000],
    ids=["number-over-4300-digits", "nested-100000-deep"],
)
async def test_json_that_python_cannot_read_is_a_400(
    api: Api, world: World, variables: bytes
) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = b'{"query": "{ viewer { kind } }", "variables": {"a": ' + variables + b"}}"
    posted = await api.client.post("/graphql", content=body, headers=headers)
    responses = [posted]
    if len(variables) < 10_000:  # the same in a GET's query string, where it fits in one
        query = {"query": "{ viewer { kind } }", "variables": '{"a": ' + variables.decode() + "}"}
        responses.append(await api.client.get("/graphql", params=query, headers=headers))
    for response in responses:
        assert response.status_code == 400, response.text[:300]
        assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_a_content_length_that_is_not_ascii_digits_is_not_a_500(
    api: Api, world: World
) -> None:
    token = world.token(await world.user(await world.member(), Role.ANALYST))
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", "\u00b2".encode("latin-1")),
    ]
    response = await api.client.post("/graphql", content=b"{}", headers=headers)
    assert response.status_code < 500


async def test_an_oauth_form_over_its_size_is_a_400_not_an_empty_request(api: Api) -> None:
    body = b"grant_type=client_credentials&client_id=x&pad=" + b"a" * 70_000
    response = await api.client.post("/oauth/token", content=body, headers=FORM)
    invalid_request(response)
    assert "at most" in response.json()["error_description"]


@pytest.mark.parametrize("next_path", ["/a\u0085b", "/a\tb", "/a\ud800b"])
async def test_a_return_path_with_a_control_character_is_refused(next_path: str) -> None:
    with pytest.raises(InvalidReturnPath):
        require_return_path(next_path)
