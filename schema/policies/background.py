"""Batched re-application of a policy, started after the mutation that stored it commits."""

from __future__ import annotations

import asyncio
import logging

from alliance.db import Database
from alliance.policies.reapply import ReapplyOptions, finish_reapplications

logger = logging.getLogger(__name__)

# Running tasks, kept so that they are not garbage-collected before they finish.
_running: set[asyncio.Task[int | None]] = set()


def _finished(task: asyncio.Task[int | None]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # Nothing is lost: the service's next sweep resumes with the stale records.
        logger.error("batched policy re-application failed", exc_info=task.exception())


def reapply_later(database: Database, options: ReapplyOptions) -> None:
    """Finish the re-application of changed policies in the background (a sweep; if
    another instance is sweeping already, that one finishes it)."""
    task = asyncio.create_task(finish_reapplications(database, batch_size=options.batch_size))
    _running.add(task)
    task.add_done_callback(_finished)
