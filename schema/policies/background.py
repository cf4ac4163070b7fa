"""Batched re-application of a policy, started after the mutation that stored it commits."""

from __future__ import annotations

import asyncio
import logging
import uuid

from alliance.db import Database
from alliance.indicators.audience import reapply_in_batches

logger = logging.getLogger(__name__)

# Running tasks, kept so that they are not garbage-collected before they finish.
_running: set[asyncio.Task[int]] = set()


def _finished(task: asyncio.Task[int]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # Nothing is lost: `alliance policies reapply` resumes with the stale records.
        logger.error("batched policy re-application failed", exc_info=task.exception())


def reapply_later(database: Database, member_id: uuid.UUID) -> None:
    """Re-apply the member's current policy to its stale records in the background."""
    task = asyncio.create_task(reapply_in_batches(database, member_id=member_id))
    _running.add(task)
    task.add_done_callback(_finished)
