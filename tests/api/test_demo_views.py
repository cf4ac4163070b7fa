"""What a newcomer sees of the demo intelligence: real `alliance` processes, two members'
tokens, different and correct views of the same data."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from alliance.config import Settings
from api.cli import mint_token
from tests.api.demo_trends_view import assert_an_analyst_reads_published_and_suppressed_cells
from tests.fixtures.servers import base_env, run, scratch_postgresql, serving

ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("ALLIANCE_TEST_DATABASE_URL") else [])
OWNER = "Maison Lumière SA"
REGIONAL = "lumiere-outlet-sale.shop"  # region:EU=FULL
ANONYMOUS = "orders@bags-wholesale-direct.top"  # alliance=ANONYMOUS
EXCLUDED = "atelier-l-replica.store"  # alliance=FULL, exclude: Castellano (a competitor)
MATCH_ONLY = "vip.orders@luxe-mirror.shop"  # alliance=MATCH_ONLY
RECORD = """... on Indicator { value owner { id name region label } brands { name }
  externalId audience sightings { memberId memberName } corroboration { members } }"""


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'alliance.db'}"
    else:
        with scratch_postgresql(os.environ["ALLIANCE_TEST_DATABASE_URL"]) as url:
            yield url


class Caller:
    """One user's token against the served API."""

    def __init__(self, base: str, token: str) -> None:
        self.url = f"{base}/graphql"
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, query: str, **variables: Any) -> httpx.Response:
        body = {"query": query, "variables": variables}
        answer = httpx.post(self.url, json=body, headers=self.headers, timeout=10)
        assert answer.status_code == 200, answer.text
        assert "errors" not in answer.json(), answer.text
        return answer

    def data(self, query: str, **variables: Any) -> Any:
        return self.post(query, **variables).json()["data"]

    def node(self, node_id: str) -> Any:
        return self.data(f"query($id: ID!) {{ node(id: $id) {{ {RECORD} }} }}", id=node_id)["node"]

    def listed(self, prefix: str) -> list[Any]:
        query = """query($prefix: String!) { indicators(first: 10, filter: {valuePrefix: $prefix})
            { totalCount edges { node { id value } } } }"""
        found = self.data(query, prefix=prefix)["indicators"]
        assert found["totalCount"] == len(found["edges"])
        return [edge["node"] for edge in found["edges"]]


def _printed_views(printed: str) -> list[Any]:
    """Run the two curl commands `alliance demo` printed; their `data`."""
    views = []
    for line in printed.splitlines():
        if line.startswith("curl "):
            words = shlex.split(line)
            headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
            body = words[words.index("-d") + 1].encode()
            answer = httpx.post(words[2], headers=headers, content=body, timeout=10)
            assert answer.status_code == 200, answer.text
            views.append(answer.json()["data"])
    return views


@pytest.mark.e2e
def test_two_demo_members_see_different_correct_views_of_the_same_data(
    tmp_path: Path, database_url: str
) -> None:
    env = base_env(tmp_path, database_url)
    run(env, "db", "upgrade")
    with serving(env) as base:
        env_at = {**env, "ALLIANCE_ISSUER": base}
        printed = run(env_at, "demo")
        assert re.search(r"3,\d{3} indicators, [\d,]+ links, [\d,]+ sightings added", printed)
        # idempotent: keyed on (owner, external id), a second run adds nothing
        assert "0 indicators, 0 links, 0 sightings added" in run(env_at, "demo")

        # the two printed commands: an EU and a CN member see different totals, and the
        # EU member's regional record is there for the one, null for the other
        eu, cn = _printed_views(printed)
        assert eu["indicators"]["totalCount"] != cn["indicators"]["totalCount"]
        assert eu["node"] == {"value": REGIONAL, "owner": {"label": OWNER}}
        assert cn["node"] is None

        def caller(email: str) -> Caller:
            settings = Settings.from_env(env_at)
            return Caller(base, asyncio.run(mint_token(settings, email, None, None, 600)))

        owner = caller("analyst@maison-lumiere.example")
        velden = caller("analyst@velden.example")  # EU
        jadepeak = caller("analyst@jadepeak.example")  # CN
        castellano = caller("analyst@castellano.example")  # EU, Maison Lumière's competitor
        member_id = owner.data("{ viewer { member { id } } }")["viewer"]["member"]["id"]
        ids = {value: owner.listed(value)[0]["id"] for value in (REGIONAL, ANONYMOUS, EXCLUDED)}

        # regional: another EU member sees it, named; a CN member gets null, listed nowhere
        assert velden.node(ids[REGIONAL])["owner"]["name"] == OWNER
        assert jadepeak.node(ids[REGIONAL]) is None
        assert jadepeak.listed(REGIONAL) == []

        # anonymous: shown, but nothing anywhere in the answer names the owner
        answer = jadepeak.post(
            f"query($id: ID!, $p: String!) {{ node(id: $id) {{ {RECORD} }} "
            f"indicators(first: 5, filter: {{valuePrefix: $p}}) {{ edges {{ node {{ {RECORD} }} }} }} }}",
            id=ids[ANONYMOUS],
            p=ANONYMOUS,
        )
        shown = answer.json()["data"]["node"]
        assert shown["value"] == ANONYMOUS
        assert shown["owner"] == {
            "id": None,
            "name": None,
            "region": "EU",
            "label": "a member in EU",
        }
        raw_member_id = base64.b64decode(member_id).decode().split(":", 1)[1]
        text = answer.text + json.dumps(answer.json(), ensure_ascii=False)
        for secret in (OWNER, "Lumière", member_id, raw_member_id):
            assert secret not in text

        # excluded competitor: nothing of the record, though it is alliance-wide
        assert jadepeak.node(ids[EXCLUDED])["value"] == EXCLUDED
        assert castellano.node(ids[EXCLUDED]) is None
        assert castellano.listed(EXCLUDED) == []

        # MATCH_ONLY: never listed, but a match says a member holds it
        assert jadepeak.listed(MATCH_ONLY) == []
        match = jadepeak.data(
            "query($v: String!) { match(values: [{kind: EMAIL, value: $v}]) "
            "{ matchKey members indicators { id } } }",
            v="VIP.Orders@luxe-mirror.shop",
        )["match"]
        assert match == [{"matchKey": MATCH_ONLY, "members": 1, "indicators": []}]

        # correlation: some match keys are held by several members
        page = owner.data(
            "{ indicators(first: 100) { edges { node { corroboration { members } } } } }"
        )
        seen_by = [edge["node"]["corroboration"]["members"] for edge in page["indicators"]["edges"]]
        assert max(seen_by) >= 2

        # trends: a year of demo reports, released with published and suppressed cells
        assert_an_analyst_reads_published_and_suppressed_cells(owner.data)
