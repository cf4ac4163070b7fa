"""The limits' settings: read from the environment, with in-process buckets by default."""

from __future__ import annotations

from alliance.config import Settings


def test_limits_default_to_one_process_and_documented_values() -> None:
    settings = Settings.from_env({})

    assert settings.redis_url is None
    assert (settings.cost_max_per_request, settings.cost_budget) == (10_000, 50_000)
    assert settings.cost_restore_rate == 1_000
    assert settings.max_body_bytes == 8_388_608
    assert (settings.token_burst, settings.token_rate) == (30, 1)


def test_limits_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "ALLIANCE_REDIS_URL": "redis://cache:6379/2",
            "ALLIANCE_REDIS_PREFIX": "eu1:",
            "ALLIANCE_COST_MAX_PER_REQUEST": "500",
            "ALLIANCE_COST_BUDGET": "2000",
            "ALLIANCE_COST_RESTORE_RATE": "12.5",
            "ALLIANCE_MAX_BODY_BYTES": "65536",
            "ALLIANCE_TOKEN_BURST": "5",
            "ALLIANCE_TOKEN_RATE": "0.5",
        }
    )

    assert (settings.redis_url, settings.redis_prefix) == ("redis://cache:6379/2", "eu1:")
    assert (settings.cost_max_per_request, settings.cost_budget) == (500, 2000)
    assert settings.cost_restore_rate == 12.5
    assert settings.max_body_bytes == 65536
    assert (settings.token_burst, settings.token_rate) == (5, 0.5)
