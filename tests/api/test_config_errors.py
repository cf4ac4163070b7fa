"""A wrong configuration value is one line naming the variable and what it accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixtures.servers import ALLIANCE, base_env

CASES = {
    "environment": ({"ALLIANCE_ENV": "prod"}, ["ALLIANCE_ENV", "prod", "dev, test, production"]),
    "port": ({"ALLIANCE_PORT": "eighty"}, ["ALLIANCE_PORT", "eighty", "whole number"]),
    "port-range": ({"ALLIANCE_PORT": "70000"}, ["ALLIANCE_PORT", "65535"]),
    "ttl": ({"ALLIANCE_ACCESS_TOKEN_TTL": "10m"}, ["ALLIANCE_ACCESS_TOKEN_TTL", "seconds"]),
    "refresh-ttl": ({"ALLIANCE_REFRESH_TOKEN_TTL": "-5"}, ["ALLIANCE_REFRESH_TOKEN_TTL"]),
    "flag": ({"ALLIANCE_DEV_LOGIN": "maybe"}, ["ALLIANCE_DEV_LOGIN", "1", "0"]),
    "database-url": (
        {"ALLIANCE_DATABASE_URL": "nonsense"},
        ["ALLIANCE_DATABASE_URL", "postgresql+asyncpg://"],
    ),
    "redis-url": ({"ALLIANCE_REDIS_URL": "notaurl"}, ["ALLIANCE_REDIS_URL", "redis://"]),
    "budget-below-maximum": (
        {"ALLIANCE_COST_BUDGET": "100", "ALLIANCE_COST_MAX_PER_REQUEST": "1000"},
        ["ALLIANCE_COST_BUDGET", "ALLIANCE_COST_MAX_PER_REQUEST"],
    ),
    "unsafe-production": (
        {"ALLIANCE_ENV": "production", "ALLIANCE_GRAPHIQL": "1"},
        ["production", "ALLIANCE_GRAPHIQL"],
    ),
}


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"]])
@pytest.mark.parametrize(("overrides", "words"), CASES.values(), ids=CASES.keys())
def test_a_wrong_value_is_one_line_and_a_failure(
    tmp_path: Path, command: list[str], overrides: dict[str, str], words: list[str]
) -> None:
    env = {**base_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"), **overrides}
    done = subprocess.run(
        [ALLIANCE, *command], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
