"""Finishing policy re-applications, on one instance at a time, whatever was interrupted.

A policy change narrows its member's records at once (alliance/indicators/narrowing.py);
what it widens follows in batches. Those batches run right after the change, and again
in a sweep at start-up and every few seconds (`sweep_forever`), so a crash or a restart
in the middle of them delays the widening part of a change but never loses it. Whichever
instance takes the sweep lock does the work: a PostgreSQL advisory lock held by one
connection for the duration of the sweep (released by PostgreSQL if the instance dies),
and within one process a guard per database, which is all SQLite (one process) needs.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from alliance.db import Database
from alliance.policies.service import INLINE_REAPPLY_LIMIT, reapply_every_member

logger = logging.getLogger(__name__)

# The advisory lock key of the sweep: one 64-bit number the whole service agrees on.
SWEEP_LOCK_KEY = 0x616C6C69_72656170  # "allireap"
BATCH_SIZE = 5000


@dataclass(frozen=True, slots=True)
class ReapplyOptions:
    """How the service re-applies policies (ALLIANCE_REAPPLY_* settings, see README)."""

    inline_limit: int = INLINE_REAPPLY_LIMIT  # records re-applied inside the change itself
    batch_size: int = BATCH_SIZE  # records per batch transaction
    sweep_seconds: float = 30.0  # between two sweeps


_guards: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


def _guard(database: Database) -> asyncio.Lock:
    if database not in _guards:
        _guards[database] = asyncio.Lock()
    return _guards[database]


@asynccontextmanager
async def sweep_lock(database: Database) -> AsyncIterator[bool]:
    """Try to take the sweep lock without waiting: yields True when this caller holds it
    (until the block ends), False when another sweep, here or on another instance, does."""
    guard = _guard(database)
    if guard.locked():
        yield False
        return
    async with guard:
        if database.dialect != "postgresql":
            yield True
            return
        async with database.engine.connect() as connection:
            taken = await connection.scalar(select(func.pg_try_advisory_lock(SWEEP_LOCK_KEY)))
            # A session-level lock outlives the transaction; end it so as not to sit idle in one.
            await connection.commit()
            try:
                yield bool(taken)
            finally:
                if taken:
                    await connection.scalar(select(func.pg_advisory_unlock(SWEEP_LOCK_KEY)))
                    await connection.commit()


async def finish_reapplications(database: Database, *, batch_size: int = BATCH_SIZE) -> int | None:
    """Finish every member's unfinished policy re-application, in short batches, if no
    other sweep is running; returns how many batches ran, or None when another sweep
    holds the lock (it will finish them)."""
    async with sweep_lock(database) as held:
        if not held:
            return None
        return await reapply_every_member(database, batch_size=batch_size)


async def sweep_forever(database: Database, *, every: float, batch_size: int = BATCH_SIZE) -> None:
    """Run `finish_reapplications` now and then every `every` seconds, until cancelled.
    A failed sweep (the database away for a moment) is logged and retried at the next."""
    while True:
        try:
            await finish_reapplications(database, batch_size=batch_size)
        except Exception:
            logger.exception("policy re-application sweep failed; retrying in %s s", every)
        await asyncio.sleep(every)
