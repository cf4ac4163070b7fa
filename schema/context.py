"""The per-request GraphQL context: who is calling, the database, per-request loaders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info as StrawberryInfo

from alliance.db import Database
from alliance.identity_providers.secret_box import SecretBox
from sharing import Viewer


@dataclass
class Context:
    viewer: Viewer
    database: Database
    secret_box: SecretBox | None = None  # seals identity-provider secrets
    loaders: dict[str, Any] = field(default_factory=dict)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session of its own: sibling resolvers run concurrently and must not share one."""
        async with self.database.session() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.database.transaction() as session:
            yield session


Info = StrawberryInfo[Context, None]
