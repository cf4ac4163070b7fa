"""Read audit: which principal received which indicators, through which operation.

Services that hand out shareable records note them in the request's `ReadLog`; at the end
of the request `flush_reads` writes one row per (operation, record type) with the ids
packed in a list: one multi-row INSERT per request, whatever the page size.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit.models import ReadEvent
from sharing import Viewer


@dataclass
class ReadLog:
    """The records one request handed out, by (operation, record type), in order."""

    entries: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def note(self, operation: str, record_type: str, ids: Iterable[uuid.UUID]) -> None:
        """Remember that `ids` were returned through `operation` (duplicates kept once)."""
        seen = self.entries.setdefault((operation, record_type), [])
        known = set(seen)  # `in` on the list made noting n ids O(n²): match notes 1,000
        for record_id in ids:
            text = str(record_id)
            if text not in known:
                known.add(text)
                seen.append(text)

    def __bool__(self) -> bool:
        return any(self.entries.values())


async def flush_reads(session: AsyncSession, *, viewer: Viewer, log: ReadLog) -> None:
    """Write the log as read events (nothing when nothing was read), then empty it."""
    rows = [
        {
            "actor_kind": viewer.kind.value,
            "actor_id": viewer.principal_id,
            "actor_member_id": viewer.member_id,
            "operation": operation,
            "record_type": record_type,
            "record_ids": ids,
        }
        for (operation, record_type), ids in log.entries.items()
        if ids
    ]
    log.entries.clear()
    if rows:
        await session.execute(insert(ReadEvent), rows)
