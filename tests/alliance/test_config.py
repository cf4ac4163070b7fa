"""Settings from the environment; production refuses to run unsafely."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance.config import Environment, Settings, UnsafeSettings
from auth.keys import ensure_key


def test_defaults_are_the_embedded_dev_setup() -> None:
    settings = Settings.from_env({})
    assert settings.environment is Environment.DEV
    assert settings.database_url == "sqlite+aiosqlite:///./var/alliance.db"
    assert (settings.host, settings.port, settings.issuer) == (
        "127.0.0.1",
        8000,
        "http://127.0.0.1:8000",
    )
    assert settings.graphiql
    assert settings.access_token_ttl == 600


def _production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    keys = tmp_path / "keys"
    ensure_key(keys)
    env = {
        "ALLIANCE_ENV": "production",
        "ALLIANCE_DATABASE_URL": "postgresql+asyncpg://alliance@db/alliance",
        "ALLIANCE_KEYS_DIR": str(keys),
        "ALLIANCE_ISSUER": "https://alliance.example",
        "ALLIANCE_SECRET_KEY": "a-production-secret-of-more-than-32-characters",
    }
    env.update(overrides)
    return env


def test_a_safe_production_configuration_starts(tmp_path: Path) -> None:
    settings = Settings.from_env(_production(tmp_path))
    assert settings.environment is Environment.PRODUCTION
    assert not settings.graphiql


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"ALLIANCE_GRAPHIQL": "1"}, "ALLIANCE_GRAPHIQL"),
        ({"ALLIANCE_KEYS_DIR": "/nonexistent/keys"}, "no signing keys"),
        ({"ALLIANCE_ISSUER": "http://alliance.example"}, "not https"),
        ({"ALLIANCE_DATABASE_URL": "sqlite+aiosqlite:///./var/a.db"}, "SQLite"),
        ({"ALLIANCE_ACCESS_TOKEN_TTL": "86400"}, "ALLIANCE_ACCESS_TOKEN_TTL"),
        ({"ALLIANCE_DEV_LOGIN": "1"}, "ALLIANCE_DEV_LOGIN"),
        ({"ALLIANCE_SECRET_KEY": "short"}, "ALLIANCE_SECRET_KEY"),
    ],
)
def test_production_refuses_unsafe_settings(
    tmp_path: Path, overrides: dict[str, str], complaint: str
) -> None:
    with pytest.raises(UnsafeSettings, match=complaint):
        Settings.from_env(_production(tmp_path, **overrides))


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ValueError, match="staging"):
        Settings.from_env({"ALLIANCE_ENV": "staging"})
