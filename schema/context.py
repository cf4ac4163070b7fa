"""The per-request GraphQL context: who is calling, the database, per-request loaders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import InitVar, dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info as StrawberryInfo

from alliance.audit.reads import ReadLog
from alliance.db import Database
from alliance.errors import Forbidden
from alliance.identity_providers.secret_box import SecretBox
from alliance.indicators.change_signal import ChangeSignal
from alliance.policies.reapply import ReapplyOptions
from alliance.request_session import RequestSession
from sharing import Viewer


@dataclass
class Context:
    viewer: Viewer
    database: Database
    secret_box: SecretBox | None = None  # seals identity-provider secrets
    loaders: dict[str, Any] = field(default_factory=dict)
    reads: ReadLog = field(default_factory=ReadLog)
    reapply: ReapplyOptions = field(default_factory=ReapplyOptions)
    # The request's one session, already bound to `viewer` by the bearer check; without
    # one (a schema executed directly), the context opens its own on first use.
    request_session: InitVar[RequestSession | None] = None
    request: RequestSession = field(init=False)

    def __post_init__(self, request_session: RequestSession | None) -> None:
        if request_session is None:
            request_session = self.database.request_session()
            request_session.bind(self.viewer)
        self.request = request_session

    def loader(self, name: str, factory: Callable[[Context], Any]) -> Any:
        """The request's loader called `name`, made by `factory` on first use."""
        if name not in self.loaders:
            self.loaders[name] = factory(self)
        return self.loaders[name]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The request's session, to this block alone (sibling resolvers run concurrently
        and take turns). Every read of shareable data through it is filtered for the
        viewer (sharing/); nothing written in it is committed by this block."""
        async with self.request.reading() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """The request's session, to this block alone; what the block writes commits
        together when it ends, or not at all."""
        async with self.request.writing() as session:
            yield session


class OverHttpOnly(Forbidden):
    """A query or mutation sent over a WebSocket: only subscriptions run there."""

    def __init__(self) -> None:
        super().__init__(
            "Over a WebSocket only subscriptions run: send queries and mutations over HTTP."
        )


@dataclass
class SocketContext(Context):
    """The context of a WebSocket (graphql-transport-ws): who is calling is established at
    `connection_init` (`on_ws_connect`), from the token in its payload, and checked again
    by `recheck` while the socket lives. A subscription reads through sessions of its own,
    one per page (`database.viewer_session`): a session held open for the socket's life
    would keep a transaction open for hours. Queries and mutations go over HTTP."""

    connection_params: dict[str, Any] = field(default_factory=dict)
    recheck: Callable[[], Awaitable[Viewer]] | None = None
    signal: ChangeSignal | None = None
    socket: Any = None  # the WebSocket, closed when its viewer no longer holds

    async def shut(self, code: int, reason: str) -> None:
        """Close the socket: its viewer may no longer read (4401) or lost the right (4403)."""
        if self.socket is not None:
            await self.socket.close(code=code, reason=reason[:120])

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        raise OverHttpOnly()
        yield  # pragma: no cover - never reached: a generator for asynccontextmanager

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        raise OverHttpOnly()
        yield  # pragma: no cover


Info = StrawberryInfo[Context, None]
