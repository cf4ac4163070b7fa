"""The database: declarative base, engines for SQLite and PostgreSQL, and sessions.

Services receive an `AsyncSession`; they never open one themselves. Sessions that read
shared data on behalf of a viewer come from `sharing` (DESIGN §1); `Database.session()`
is for administrative work whose rules the services check themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import JSON, DateTime, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from alliance.request_session import RequestSession
from sharing import Viewer
from sharing.session import viewer_session, viewer_sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
    }


class UuidPrimaryKey:
    """A random UUID primary key: not enumerable, stable across databases."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# How long a caller waits before retrying while the database is unreachable (seconds).
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The service cannot reach its database; retry later."

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable
    SQLAlchemyTimeout,  # every pooled connection busy
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,  # starting up, shutting down, in recovery
    asyncpg.exceptions.TooManyConnectionsError,
)


# Errors of the local file system are bugs or misconfiguration, not an outage to wait out.
_NOT_OUTAGES: tuple[type[BaseException], ...] = (
    PermissionError,
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached now: a reason to retry later.

    Looks through wrapped errors; a query the database refused (a bug, a missing table)
    is not an outage.
    """
    seen: BaseException | None = error
    for _ in range(8):  # causes chain a few levels deep at most
        if seen is None:
            return False
        if isinstance(seen, _NOT_OUTAGES):
            return False
        if isinstance(seen, _UNAVAILABLE):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


_TRANSACTION = "alliance_transaction"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # SQLite has no transaction id; the change log's triggers need one to keep a
        # single row per record and transaction (alliance/indicators/change_log.py).
        current: list[str | None] = record.info.setdefault(_TRANSACTION, [None])
        dbapi_connection.create_function(_TRANSACTION, 0, lambda: current[0] or uuid.uuid4().hex)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        current = connection.connection.info.get(_TRANSACTION)
        if current is not None:
            current[0] = uuid.uuid4().hex


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets foreign keys on, WAL and its folder created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it cost a round trip at every check-out. A connection that broke while
    # pooled fails its first statement; SQLAlchemy then invalidates the pool, and the
    # request is answered 503 (`is_unavailable`) like any other outage.
    # No JIT: the plan cost of a page's statement switches it on, and compiling took 350 ms
    # of statements that run in tens. Custom plans only: statements are prepared once per
    # pooled connection, and a generic plan cannot see the values that make a page cheap
    # (a valuePrefix range, the viewer's keys): 40 ms instead of 1 for the page at 1M,
    # seconds instead of 20 ms for a search, for ~0.5 ms of planning (docs/performance.md).
    connect_args = kwargs.setdefault("connect_args", {})
    settings = connect_args.setdefault("server_settings", {})
    settings.setdefault("jit", "off")
    settings.setdefault("plan_cache_mode", "force_custom_plan")
    return create_async_engine(url, **kwargs)


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.viewer_sessions = viewer_sessionmaker(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits together, or not at all."""
        async with self.sessions() as session, session.begin():
            yield session

    def request_session(self) -> RequestSession:
        """The one session of a request, shared by its readers (alliance.request_session)."""
        return RequestSession(self)

    @asynccontextmanager
    async def viewer_session(self, viewer: Viewer) -> AsyncIterator[AsyncSession]:
        """A session for `viewer`: every read of shareable data is filtered (sharing/)."""
        async with viewer_session(self.viewer_sessions, viewer) as session:
            yield session

    @asynccontextmanager
    async def viewer_transaction(self, viewer: Viewer) -> AsyncIterator[AsyncSession]:
        """A viewer session whose work commits together, or not at all."""
        async with viewer_session(self.viewer_sessions, viewer) as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
