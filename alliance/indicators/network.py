"""Infringer networks: the indicators reachable from one through links, as the viewer
may see them. A link is followed only where both ends are listable to the viewer, so a
network never passes through, or ends at, a record outside the viewer's audience."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit.reads import ReadLog
from alliance.errors import InvalidInput
from alliance.indicators import links as link_service
from alliance.indicators import reads as indicator_reads
from alliance.indicators.models import Link
from alliance.indicators.reads import VisibleIndicator
from sharing import Viewer

MAX_DEPTH = 3
MAX_NODES = 200


@dataclasses.dataclass(frozen=True, slots=True)
class Network:
    """The visible indicators and links around a start; `truncated` past MAX_NODES."""

    indicators: list[VisibleIndicator]
    links: list[Link]
    truncated: bool


async def network(
    session: AsyncSession,
    *,
    viewer: Viewer,
    reads: ReadLog,
    indicator_id: uuid.UUID,
    depth: int,
) -> Network | None:
    """The network `depth` links deep around an indicator the viewer may list; None when
    it may not (like a missing one). One statement per level, plus two."""
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"`depth` must be between 1 and {MAX_DEPTH}.", field="depth")
    start = await indicator_reads.by_ids(session, viewer=viewer, ids=[indicator_id])
    if indicator_id not in start:
        return None
    seen, frontier = [indicator_id], {indicator_id}
    links: dict[uuid.UUID, Link] = {}
    truncated = False
    for _ in range(depth):
        found = await link_service.of_indicators(
            session, viewer=viewer, indicator_ids=list(frontier)
        )
        reached: set[uuid.UUID] = set()
        for link in (link for group in found.values() for link in group):
            links[link.id] = link
            reached |= {link.source_id, link.target_id}
        frontier = reached - set(seen)
        room = MAX_NODES - len(seen)
        truncated = truncated or len(frontier) > room
        frontier = set(sorted(frontier)[:room])
        seen += sorted(frontier)
        if not frontier:
            break
    kept = set(seen)
    found_indicators = await indicator_reads.by_ids(session, viewer=viewer, ids=seen)
    reads.note("network", "Indicator", (i for i in seen if i in found_indicators))
    return Network(
        indicators=[found_indicators[i] for i in seen if i in found_indicators],
        links=[link for link in links.values() if {link.source_id, link.target_id} <= kept],
        truncated=truncated,
    )
