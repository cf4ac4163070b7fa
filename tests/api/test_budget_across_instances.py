"""Two `alliance serve` processes configured with one Redis spend one budget per principal."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.fixtures.servers import base_env, run, serving

VIEWER = "{ viewer { kind } }"  # costs 1


def _ask(base: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{base}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


@pytest.mark.e2e
def test_what_one_instance_spends_the_other_cannot(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    env = {
        **base_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'alliance.db'}"),
        "ALLIANCE_ISSUER": "http://alliance.test",  # both instances are one service
        "ALLIANCE_REDIS_URL": redis_url,
        "ALLIANCE_REDIS_PREFIX": redis_prefix,
        "ALLIANCE_COST_BUDGET": "3",
        "ALLIANCE_COST_MAX_PER_REQUEST": "3",
        "ALLIANCE_COST_RESTORE_RATE": "0.001",
    }
    run(env, "db", "upgrade")
    run(env, "admin", "create", "--email", "admin@alliance.example")
    token = run(env, "token", "--user", "admin@alliance.example").strip()

    with serving(env) as first, serving(env) as second:
        answers = [_ask(base, token) for base in (first, second, first, second)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429], answers[-1].text
    left = [a.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] for a in answers]
    assert left == [2, 1, 0, 0]
    assert answers[-1].json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert answers[-1].headers["retry-after"] == "1000"
