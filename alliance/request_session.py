"""The one session of a request: opened on first use, one transaction, closed at the end.

A request used to open a session for its principal check, one per resolver and one per
DataLoader batch, and another for its read audit: up to 4 check-outs and 4 BEGINs for a
page of 50 (docs/performance.md). Here every reader of a request shares one session, so a
request costs one check-out and one transaction: the principal check, the reads and the
read audit commit (or roll back) together.

One `AsyncSession` must not be used by two coroutines at once, and strawberry resolves
sibling fields concurrently: `reading` and `writing` hand the session to one block at a
time (an `asyncio.Lock`). Each block leaves the session as a fresh one would: its objects
are expunged, so the next block reads from the database, filtered for the viewer, never
from what an earlier block loaded (perhaps at a wider reach, e.g. `match`). A block that
fails rolls the transaction back, so a failed statement cannot abort its siblings' reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from sharing import Viewer
from sharing.session import bind_viewer, unbound_session

if TYPE_CHECKING:
    from alliance.db import Database


class RequestSession:
    """The session a request's readers share, handed to one block at a time."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._session: AsyncSession | None = None
        self._viewer: Viewer | None = None
        self._lock = asyncio.Lock()

    def _opened(self) -> AsyncSession:
        if self._session is None:  # no check-out, no BEGIN until a statement runs
            self._session = unbound_session(self.database.viewer_sessions)
            if self._viewer is not None:  # opened again after `close`
                bind_viewer(self._session, self._viewer)
        return self._session

    def bind(self, viewer: Viewer) -> None:
        """Filter every later read for `viewer` (once its principal has been checked)."""
        bind_viewer(self._opened(), viewer)
        self._viewer = viewer

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """The session, to this block alone; what it writes is not committed here."""
        async with self._lock:
            session = self._opened()
            try:
                yield session
            except Exception:
                await session.rollback()
                raise
            finally:
                session.expunge_all()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """The session, to this block alone; what the block writes commits when it ends
        without an error, else nothing of it does (nor of reads before it, which wrote
        nothing)."""
        async with self._lock:
            session = self._opened()
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            finally:
                session.expunge_all()

    async def close(self) -> None:
        """End the request: roll back what was not committed, give the connection back."""
        async with self._lock:
            if self._session is not None:
                session, self._session = self._session, None
                await session.close()
