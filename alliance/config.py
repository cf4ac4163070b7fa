"""Settings, read once from the environment (every variable is listed in the README)."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class Environment(enum.StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class UnsafeSettings(Exception):
    """The settings would run a production service unsafely; the message says what to fix."""


DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/alliance.db"
# Signs login-session cookies and encrypts identity-provider secrets outside production.
DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    environment: Environment = Environment.DEV
    database_url: str = DEFAULT_DATABASE_URL
    keys_dir: Path = Path("./var/keys")
    host: str = "127.0.0.1"
    port: int = 8000
    issuer: str = "http://127.0.0.1:8000"
    audience: str = "alliance-api"
    access_token_ttl: int = 600
    graphiql: bool = True
    secret_key: str = DEV_SECRET_KEY
    refresh_token_ttl: int = 14 * 24 * 3600
    dev_login: bool = False
    redis_url: str | None = None  # None: rate limits and budgets live in this process
    redis_prefix: str = "alliance:"
    cost_max_per_request: int = 10_000
    cost_budget: int = 50_000
    cost_restore_rate: float = 1_000.0  # per second
    max_body_bytes: int = 1_048_576
    token_burst: int = 30  # /oauth/token requests per client id and per address
    token_rate: float = 1.0  # per second
    # Policy re-application (alliance/policies/reapply.py): records re-applied inside the
    # policy change itself, records per batch, and seconds between two sweeps.
    reapply_inline_limit: int = 10_000
    reapply_batch_size: int = 5000
    reapply_sweep_seconds: float = 30.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_dev(self) -> bool:
        return self.environment is Environment.DEV

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from `ALLIANCE_*` variables; production ones are checked for safety."""
        env = dict(os.environ if environ is None else environ)
        environment = Environment(env.get("ALLIANCE_ENV", "dev"))
        host = env.get("ALLIANCE_HOST", "127.0.0.1")
        port = int(env.get("ALLIANCE_PORT", "8000"))
        default_graphiql = "1" if environment is Environment.DEV else "0"
        settings = cls(
            environment=environment,
            database_url=env.get("ALLIANCE_DATABASE_URL", DEFAULT_DATABASE_URL),
            keys_dir=Path(env.get("ALLIANCE_KEYS_DIR", "./var/keys")),
            host=host,
            port=port,
            issuer=env.get("ALLIANCE_ISSUER", f"http://{host}:{port}").rstrip("/"),
            audience=env.get("ALLIANCE_AUDIENCE", "alliance-api"),
            access_token_ttl=int(env.get("ALLIANCE_ACCESS_TOKEN_TTL", "600")),
            graphiql=_flag(env.get("ALLIANCE_GRAPHIQL", default_graphiql)),
            secret_key=env.get("ALLIANCE_SECRET_KEY", DEV_SECRET_KEY),
            refresh_token_ttl=int(env.get("ALLIANCE_REFRESH_TOKEN_TTL", str(14 * 24 * 3600))),
            dev_login=_flag(env.get("ALLIANCE_DEV_LOGIN")),
            redis_url=env.get("ALLIANCE_REDIS_URL") or None,
            redis_prefix=env.get("ALLIANCE_REDIS_PREFIX", "alliance:"),
            cost_max_per_request=int(env.get("ALLIANCE_COST_MAX_PER_REQUEST", "10000")),
            cost_budget=int(env.get("ALLIANCE_COST_BUDGET", "50000")),
            cost_restore_rate=float(env.get("ALLIANCE_COST_RESTORE_RATE", "1000")),
            max_body_bytes=int(env.get("ALLIANCE_MAX_BODY_BYTES", "1048576")),
            token_burst=int(env.get("ALLIANCE_TOKEN_BURST", "30")),
            token_rate=float(env.get("ALLIANCE_TOKEN_RATE", "1")),
            reapply_inline_limit=int(env.get("ALLIANCE_REAPPLY_INLINE_LIMIT", "10000")),
            reapply_batch_size=int(env.get("ALLIANCE_REAPPLY_BATCH_SIZE", "5000")),
            reapply_sweep_seconds=float(env.get("ALLIANCE_REAPPLY_SWEEP_SECONDS", "30")),
        )
        settings.require_safe()
        return settings

    def require_safe(self) -> None:
        """Raise `UnsafeSettings` when a production environment has dev features or no keys."""
        if self.environment is not Environment.PRODUCTION:
            return
        problems = []
        if self.graphiql:
            problems.append("ALLIANCE_GRAPHIQL is on (GraphiQL is a dev feature)")
        if self.dev_login:
            problems.append("ALLIANCE_DEV_LOGIN is on (the demo login is a dev feature)")
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("ALLIANCE_SECRET_KEY is unset or shorter than 32 characters")
        if not any(self.keys_dir.glob("*.json")):
            problems.append(
                f"no signing keys in ALLIANCE_KEYS_DIR={self.keys_dir} "
                "(create them with `alliance keys rotate`)"
            )
        if urlsplit(self.issuer).scheme != "https":
            problems.append(f"ALLIANCE_ISSUER={self.issuer} is not https")
        if self.database_url.startswith("sqlite"):
            problems.append("ALLIANCE_DATABASE_URL is SQLite; production runs on PostgreSQL")
        if not 60 <= self.access_token_ttl <= 3600:
            problems.append("ALLIANCE_ACCESS_TOKEN_TTL must be between 60 and 3600 seconds")
        if problems:
            raise UnsafeSettings("Refusing to start in production: " + "; ".join(problems) + ".")
