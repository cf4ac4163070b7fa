"""From the demo, an analyst finds an authentication guide by a word in its body and
downloads its attachment: real `alliance` processes, over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alliance.articles.samples import pdf
from alliance.config import Settings
from alliance.demo_articles import GUIDE_TITLE, GUIDE_WORD
from api.cli import mint_token
from tests.fixtures.servers import base_env, run, scratch_postgresql, serving

ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("ALLIANCE_TEST_DATABASE_URL") else [])
SEARCH = """query($q: String!) { articleSearch(query: $q) { totalCount edges { node {
  article { title kind owner { label } attachments { filename contentType sha256 downloadUrl } }
} } } }"""


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'var' / 'alliance.db'}"
    else:
        with scratch_postgresql(os.environ["ALLIANCE_TEST_DATABASE_URL"]) as url:
            yield url


@pytest.mark.e2e
def test_an_analyst_finds_the_guide_by_a_word_and_downloads_its_attachment(
    tmp_path: Path, database_url: str
) -> None:
    env = {**base_env(tmp_path, database_url), "ALLIANCE_ATTACHMENTS_DIR": str(tmp_path / "files")}
    run(env, "db", "upgrade")
    with serving(env) as base:
        env_at = {**env, "ALLIANCE_ISSUER": base}
        printed = run(env_at, "demo")
        assert re.search(r"Demo articles: [6-9] articles, [3-9] attachments added", printed)
        assert "Demo articles: 0 articles, 0 attachments added" in run(env_at, "demo")
        settings = Settings.from_env(env_at)
        token = asyncio.run(mint_token(settings, "analyst@jadepeak.example", None, None, 600))
        headers = {"Authorization": f"Bearer {token}"}
        body = {"query": SEARCH, "variables": {"q": GUIDE_WORD.upper()}}
        answer = httpx.post(f"{base}/graphql", json=body, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        found = answer.json()["data"]["articleSearch"]
        assert found["totalCount"] == 1
        article = found["edges"][0]["node"]["article"]
        assert (article["title"], article["kind"]) == (GUIDE_TITLE, "AUTHENTICATION_GUIDE")
        assert article["owner"]["label"] == "Maison Lumière SA"
        [document] = [a for a in article["attachments"] if a["contentType"] == "application/pdf"]
        download = httpx.get(f"{base}{document['downloadUrl']}", headers=headers, timeout=10)
        assert download.status_code == 200
        assert download.content == pdf(GUIDE_TITLE)
        assert hashlib.sha256(download.content).hexdigest() == document["sha256"]
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment;")
        # without a token: nothing
        assert httpx.get(f"{base}{document['downloadUrl']}", timeout=10).status_code == 401
