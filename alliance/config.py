"""Settings, read once from the environment (every variable is listed in the README)."""

from __future__ import annotations

import enum
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class Environment(enum.StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class ConfigurationError(Exception):
    """The configuration cannot be used; the message, one line, says what to fix."""


class InvalidSetting(ConfigurationError, ValueError):
    """A variable's value is not one it accepts; the message names both."""


class UnsafeSettings(ConfigurationError):
    """The settings would run a production service unsafely; the message says what to fix."""


DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/alliance.db"
# Signs login-session cookies and encrypts identity-provider secrets outside production.
DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word not in _TRUE | _FALSE:
        raise InvalidSetting(f"{name}={value!r} is not a switch: use 1 or 0 (true/false, on/off).")
    return word in _TRUE


def _number(
    env: dict[str, str], name: str, default: int, *, low: int, high: int, unit: str = ""
) -> int:
    value = env.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise InvalidSetting(
            f"{name}={value!r} is not accepted: a whole number{unit} from {low} to {high}."
        )
    return number


def _decimal(env: dict[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if value is None:
        return default
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not 0 < number < math.inf:
        raise InvalidSetting(f"{name}={value!r} is not accepted: a number above 0.")
    return number


_DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_REDIS_SCHEMES = ("redis", "rediss", "unix")


def _database_url(env: dict[str, str]) -> str:
    value = env.get("ALLIANCE_DATABASE_URL", DEFAULT_DATABASE_URL)
    # The value is not echoed: it may hold a password.
    try:
        driver = make_url(value).drivername
    except ArgumentError:
        driver = None
    if driver not in _DATABASE_DRIVERS:
        raise InvalidSetting(
            "ALLIANCE_DATABASE_URL is not accepted: a URL of "
            + " or ".join(f"{d}://" for d in _DATABASE_DRIVERS)
            + " (sqlite+aiosqlite:///./var/alliance.db, postgresql+asyncpg://user@host/db)."
        )
    return value


def _redis_url(env: dict[str, str]) -> str | None:
    value = env.get("ALLIANCE_REDIS_URL") or None
    if value is not None and urlsplit(value).scheme not in _REDIS_SCHEMES:
        raise InvalidSetting(
            "ALLIANCE_REDIS_URL is not accepted: a URL of redis://, rediss:// or unix:// "
            "(redis://127.0.0.1:6379/0), or empty for limits kept in the process."
        )
    return value


def _attachment_store(env: dict[str, str]) -> str:
    value = env.get("ALLIANCE_ATTACHMENT_STORE", "folder").strip().lower()
    if value not in {"folder", "database"}:
        raise InvalidSetting(
            f"ALLIANCE_ATTACHMENT_STORE={value!r} is neither 'folder' nor 'database'."
        )
    return value


def _environment(env: dict[str, str]) -> Environment:
    value = env.get("ALLIANCE_ENV", "dev")
    try:
        return Environment(value.strip().lower())
    except ValueError:
        accepted = ", ".join(e.value for e in Environment)
        raise InvalidSetting(f"ALLIANCE_ENV={value!r} is not one of: {accepted}.") from None


_DAY = 24 * 3600
_MANY = 10**12


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
    max_body_bytes: int = 8_388_608
    token_burst: int = 30  # /oauth/token requests per client id and per address
    token_rate: float = 1.0  # per second
    # Policy re-application (alliance/policies/reapply.py): records re-applied inside the
    # policy change itself, records per batch, and seconds between two sweeps.
    reapply_inline_limit: int = 10_000
    reapply_batch_size: int = 5000
    reapply_sweep_seconds: float = 30.0
    # Article attachments (docs/articles.md): where their bytes live ("folder" under
    # attachments_dir, or "database"), and the largest file accepted.
    attachment_store: str = "folder"
    attachments_dir: Path = Path("./var/attachments")
    attachment_max_bytes: int = 10 * 1024 * 1024
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_dev(self) -> bool:
        return self.environment is Environment.DEV

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from `ALLIANCE_*` variables; production ones are checked for safety."""
        env = dict(os.environ if environ is None else environ)
        environment = _environment(env)
        host = env.get("ALLIANCE_HOST", "127.0.0.1")
        port = _number(env, "ALLIANCE_PORT", 8000, low=1, high=65535)
        settings = cls(
            environment=environment,
            database_url=_database_url(env),
            keys_dir=Path(env.get("ALLIANCE_KEYS_DIR", "./var/keys")),
            host=host,
            port=port,
            issuer=env.get("ALLIANCE_ISSUER", f"http://{host}:{port}").rstrip("/"),
            audience=env.get("ALLIANCE_AUDIENCE", "alliance-api"),
            access_token_ttl=_number(
                env, "ALLIANCE_ACCESS_TOKEN_TTL", 600, low=1, high=_DAY, unit=" of seconds"
            ),
            graphiql=_flag(env, "ALLIANCE_GRAPHIQL", environment is Environment.DEV),
            secret_key=env.get("ALLIANCE_SECRET_KEY", DEV_SECRET_KEY),
            refresh_token_ttl=_number(
                env,
                "ALLIANCE_REFRESH_TOKEN_TTL",
                14 * _DAY,
                low=60,
                high=365 * _DAY,
                unit=" of seconds",
            ),
            dev_login=_flag(env, "ALLIANCE_DEV_LOGIN", False),
            redis_url=_redis_url(env),
            redis_prefix=env.get("ALLIANCE_REDIS_PREFIX", "alliance:"),
            cost_max_per_request=_number(
                env, "ALLIANCE_COST_MAX_PER_REQUEST", 10_000, low=1, high=_MANY
            ),
            cost_budget=_number(env, "ALLIANCE_COST_BUDGET", 50_000, low=1, high=_MANY),
            cost_restore_rate=_decimal(env, "ALLIANCE_COST_RESTORE_RATE", 1_000.0),
            max_body_bytes=_number(
                env, "ALLIANCE_MAX_BODY_BYTES", 8_388_608, low=1024, high=_MANY, unit=" of bytes"
            ),
            token_burst=_number(env, "ALLIANCE_TOKEN_BURST", 30, low=1, high=_MANY),
            token_rate=_decimal(env, "ALLIANCE_TOKEN_RATE", 1.0),
            reapply_inline_limit=_number(
                env, "ALLIANCE_REAPPLY_INLINE_LIMIT", 10_000, low=0, high=_MANY
            ),
            reapply_batch_size=_number(
                env, "ALLIANCE_REAPPLY_BATCH_SIZE", 5000, low=1, high=1_000_000
            ),
            reapply_sweep_seconds=_decimal(env, "ALLIANCE_REAPPLY_SWEEP_SECONDS", 30.0),
            attachment_store=_attachment_store(env),
            attachments_dir=Path(env.get("ALLIANCE_ATTACHMENTS_DIR", "./var/attachments")),
            attachment_max_bytes=_number(
                env,
                "ALLIANCE_ATTACHMENT_MAX_BYTES",
                10 * 1024 * 1024,
                low=1024,
                high=_MANY,
                unit=" of bytes",
            ),
        )
        if settings.cost_budget < settings.cost_max_per_request:
            raise InvalidSetting(
                f"ALLIANCE_COST_BUDGET={settings.cost_budget} is below "
                f"ALLIANCE_COST_MAX_PER_REQUEST={settings.cost_max_per_request}: a request "
                "at the maximum could never run."
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
