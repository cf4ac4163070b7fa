"""A newcomer's first minutes: `make run` on a port of their choosing, then a real browser
(Debian's Chromium, no internet) on what it prints — the landing page, the demo login and
its token, and GraphiQL running a query with that token."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.fixtures.servers import base_env, free_port, wait_for_health

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Headless and quiet: no sandbox (root in CI), and nothing that would reach the internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANALYST = "analyst@maison-lumiere.example"


@dataclass(frozen=True)
class MakeRun:
    base: str
    log: Path

    @property
    def printed(self) -> str:
        return self.log.read_text()


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeRun]:
    """`make run` as a newcomer types it, with ALLIANCE_PORT set, on a fresh SQLite file."""
    tmp = tmp_path_factory.mktemp("make-run")
    env = base_env(tmp, f"sqlite+aiosqlite:///{tmp / 'alliance.db'}")
    port = free_port()
    env["ALLIANCE_PORT"] = str(port)
    log = tmp / "make-run.log"
    # `-o install`: this test's virtual environment is already installed.
    command = ["make", "--no-print-directory", "-o", "install", "run", f"VENV={sys.prefix}"]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(process, base, log.read_text, seconds=180)
        yield MakeRun(base, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # make and the server it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Install Debian's chromium (apt-get install chromium); CI does."
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def _viewer_kind(base: str, token: str) -> object:
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": "{ viewer { kind } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["viewer"]["kind"]


def test_make_run_prints_urls_of_the_port_it_serves_on(make_run: MakeRun) -> None:
    printed = make_run.printed
    ports = set(re.findall(r"http://127\.0\.0\.1:(\d+)", printed))
    assert ports == {make_run.base.rsplit(":", 1)[1]}, printed
    for path in ("/graphql", "/login/dev", "/healthz"):
        assert f"{make_run.base}{path}" in printed, printed
    # the curl line it prints works against the server it started
    token = re.search(r"Authorization: Bearer ([\w.-]+)", printed)
    assert token, printed
    assert _viewer_kind(make_run.base, token.group(1)) == "USER"


def test_the_landing_page_says_where_to_go_and_names_no_member(
    make_run: MakeRun, page: Page
) -> None:
    response = page.goto(f"{make_run.base}/")
    assert response is not None
    assert response.status == 200
    links = {page.get_attribute(f'a[href="{path}"]', "href") for path in ("/graphql", "/login/dev")}
    assert links == {"/graphql", "/login/dev"}
    content = page.content()
    assert "Maison Lumière" not in content
    assert ANALYST not in content
    # API clients get the same directions as JSON
    answer = httpx.get(f"{make_run.base}/", headers={"Accept": "application/json"}, timeout=10)
    assert answer.json()["graphql"] == f"{make_run.base}/graphql"


def test_a_demo_user_clicks_their_name_and_sees_a_working_token(
    make_run: MakeRun, page: Page
) -> None:
    page.goto(f"{make_run.base}/login/dev")
    page.get_by_role("button", name=ANALYST).click()
    page.wait_for_load_state()
    token = page.locator("#token").inner_text().strip()
    assert _viewer_kind(make_run.base, token) == "USER"
    # and how to use it: the curl line and the GraphiQL header
    assert f"curl -s {make_run.base}/graphql" in page.content()
    assert f'"Authorization": "Bearer {token}"' in page.locator("#header").inner_text()


def test_graphiql_runs_a_query_offline_with_the_token(make_run: MakeRun, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    problems: list[str] = []  # script errors and Content-Security-Policy refusals
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(f"{make_run.base}/login/dev")
    page.get_by_role("button", name=ANALYST).click()
    page.get_by_role("button", name="Open GraphiQL with this token").click()
    page.wait_for_url(f"{make_run.base}/graphql")
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".result-window")
    result.get_by_text('"kind": "USER"').wait_for()
    assert "Loading..." not in page.content()
    elsewhere = [url for url in requested if not url.startswith(f"{make_run.base}/")]
    assert elsewhere == []
    assert problems == []
