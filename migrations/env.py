"""Alembic environment: async, on the URL from ALLIANCE_DATABASE_URL (or the caller's)."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

import alliance.models
from alliance.articles import search_index
from alliance.config import Settings
from alliance.db import create_engine
from alliance.indicators import change_log, value_search

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)

target_metadata = alliance.models.Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return str(url) if url else Settings.from_env().database_url


def _include_name(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
    # Search indexes and the change log's transaction ids are made by migrations only
    # (they have no model): leave them alone.
    if kind in {"table", "index"} and value_search.is_managed_here(name):
        return False
    if search_index.is_managed_here(name, kind):
        return False
    return not change_log.is_managed_here(name, kind, parents)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
