"""The per-request GraphQL context: who is calling, the database, per-request loaders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info as StrawberryInfo

from alliance.audit.reads import ReadLog
from alliance.db import Database
from alliance.identity_providers.secret_box import SecretBox
from alliance.policies.reapply import ReapplyOptions
from sharing import Viewer


@dataclass
class Context:
    viewer: Viewer
    database: Database
    secret_box: SecretBox | None = None  # seals identity-provider secrets
    loaders: dict[str, Any] = field(default_factory=dict)
    reads: ReadLog = field(default_factory=ReadLog)
    reapply: ReapplyOptions = field(default_factory=ReapplyOptions)

    def loader(self, name: str, factory: Callable[[Context], Any]) -> Any:
        """The request's loader called `name`, made by `factory` on first use."""
        if name not in self.loaders:
            self.loaders[name] = factory(self)
        return self.loaders[name]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A viewer session of its own: sibling resolvers run concurrently and must not share one.

        Every read of shareable data through it is filtered for the viewer (sharing/).
        """
        async with self.database.viewer_session(self.viewer) as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.database.viewer_transaction(self.viewer) as session:
            yield session


Info = StrawberryInfo[Context, None]
