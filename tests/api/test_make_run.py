"""What a newcomer does after `make run`: a real server, the printed curl, and a 401 without it."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.servers import base_env, run, scratch_postgresql, serving

ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("ALLIANCE_TEST_DATABASE_URL") else [])


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'alliance.db'}"
    else:
        with scratch_postgresql(os.environ["ALLIANCE_TEST_DATABASE_URL"]) as url:
            yield url


def _curl_parts(command: str) -> tuple[str, dict[str, str], str]:
    """URL, headers and body of the curl command that `alliance token --curl` prints."""
    words = shlex.split(command)
    headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
    return words[2], headers, words[words.index("-d") + 1]


@pytest.mark.e2e
def test_demo_server_answers_the_printed_curl_and_refuses_anonymous_calls(
    tmp_path: Path, database_url: str
) -> None:
    env = base_env(tmp_path, database_url)
    run(env, "db", "upgrade")
    first = run(env, "demo")
    again = run(env, "demo")  # idempotent: a second run adds nothing
    assert "analyst@maison-lumiere.example" in first
    assert "(created earlier)" in again
    with serving(env) as base:
        env_at = {**env, "ALLIANCE_ISSUER": base}
        url, headers, body = _curl_parts(
            run(env_at, "token", "--user", "analyst@maison-lumiere.example", "--curl").strip()
        )
        assert url == f"{base}/graphql"
        answer = httpx.post(url, headers=headers, content=body, timeout=10)
        assert answer.status_code == 200, answer.text
        data = answer.json()["data"]
        assert data["viewer"]["member"] == {"legalName": "Maison Lumière SA"}
        assert data["members"]["totalCount"] == 10  # 12 demo members, 1 invited, 1 suspended
        first_page = [e["node"] for e in data["members"]["edges"]]
        assert [m["legalName"] for m in first_page] == [
            "Andes Cosmetics S.A.",
            "Castellano Pelletteria S.p.A.",
            "Golden Crane Apparel Co., Ltd.",
            "Hanok Home Appliances Co.",
            "Jade Peak Electronics Co., Ltd.",
        ]
        assert first_page[0]["brands"] == [{"name": "Andina"}]

        # an operator adds an alliance admin, who sees every member, suspended ones included
        assert "created" in run(env_at, "admin", "create", "--email", "ops@alliance.example")
        ops = run(env_at, "token", "--user", "ops@alliance.example").strip()
        directory = httpx.post(
            url, headers={**headers, "Authorization": f"Bearer {ops}"}, content=body, timeout=10
        )
        assert directory.json()["data"]["members"]["totalCount"] == 12

        anonymous = httpx.post(url, headers={"Content-Type": "application/json"}, content=body)
        assert anonymous.status_code == 401
        assert "data" not in anonymous.json()
