"""Wakes the live subscriptions of this process when the change log grows, on any instance.

On PostgreSQL a statement-level trigger on `indicator_changes` calls
`pg_notify('alliance_changes', '')` (migration 0013), which PostgreSQL delivers at commit
to every session that listens: each instance of the service keeps one connection that
LISTENs and wakes all of its subscriptions, so a write through any instance reaches the
subscribers of every other. Notifications carry nothing: a woken subscription reads the
feed from its own cursor, through its viewer's session, as a pull would. SQLite (the
embedded, one-process default) has no notifications: its subscriptions look every
`POLL_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy.engine import make_url

from alliance.db import Database

CHANNEL = "alliance_changes"
POLL_SECONDS = 1.0


class ChangeSignal:
    """One per process: `wait` returns when the change log may hold something new."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._changed = asyncio.Event()
        self._listener: Any = None
        self._starting: asyncio.Lock | None = None

    @property
    def notified(self) -> bool:
        """True where writes are announced (PostgreSQL), else subscriptions poll."""
        return self.database.dialect == "postgresql"

    async def _listen(self) -> None:
        import asyncpg  # PostgreSQL only

        url = make_url(self.database.url)
        self._listener = await asyncpg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
        )
        await self._listener.add_listener(CHANNEL, self._wake)

    def _wake(self, *_: object) -> None:
        # Every waiter wakes; the next `wait` waits for the next notification.
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 - one timeout, two ways of waiting
        """Until a change is announced, or `timeout` seconds (polling: POLL_SECONDS)."""
        if not self.notified:
            await asyncio.sleep(min(timeout, POLL_SECONDS))
            return
        if self._listener is None:
            self._starting = self._starting or asyncio.Lock()
            async with self._starting:
                if self._listener is None:
                    await self._listen()
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
