"""Links between indicators. A link is visible exactly where both of its ends are
listable: every query joins both ends through aliases, which the viewer session filters;
and never once the member that made it has left with WITHDRAW. Only the member that made
a link removes it; others are never told who made it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from alliance.audit import service as audit_service
from alliance.errors import Conflict, NotFound
from alliance.indicators.models import Indicator, Link
from alliance.indicators.rules import require_not_self_link, require_note, require_writer
from alliance.indicators.sightings import require_listable
from alliance.indicators.vocabulary import IndicatorStatus, LinkType
from alliance.members.departures import has_withdrawn
from sharing import Scope, Viewer
from sharing.sql_lists import one_of


async def create(
    session: AsyncSession,
    *,
    viewer: Viewer,
    source_id: uuid.UUID,
    target_id: uuid.UUID,
    link_type: LinkType,
    note: str | None = None,
) -> Link:
    """Link two indicators the viewer may list."""
    member = require_writer(viewer)
    require_not_self_link(source_id, target_id)
    require_note(note)
    await require_listable(session, viewer=viewer, indicator_id=source_id, field="sourceId")
    await require_listable(session, viewer=viewer, indicator_id=target_id, field="targetId")
    exists = await session.scalar(
        select(Link.id).where(
            Link.source_id == source_id,
            Link.target_id == target_id,
            Link.link_type == link_type,
            Link.member_id == member,
        )
    )
    if exists is not None:
        raise Conflict("You already made this link.", field="targetId")
    link = Link(
        id=uuid.uuid4(),
        source_id=source_id,
        target_id=target_id,
        link_type=link_type,
        member_id=member,
        note=note,
    )
    session.add(link)
    await session.flush()
    _audit(session, viewer, link, "link.create")
    return link


def _visible_links(viewer: Viewer) -> Select[Link]:
    source, target = aliased(Indicator), aliased(Indicator)
    # The rule of `reads.shown`, for each end: others' ends while ACTIVE, never purged.
    ends_shown = [
        and_(
            end.purged_at.is_(None),
            or_(end.owner_member_id == viewer.member_id, end.status == IndicatorStatus.ACTIVE),
        )
        for end in (source, target)
    ]
    return (
        select(Link)
        .join(source, source.id == Link.source_id)
        .join(target, target.id == Link.target_id)
        .where(*ends_shown, ~has_withdrawn(Link.member_id))
    )


async def remove(session: AsyncSession, *, viewer: Viewer, link_id: uuid.UUID) -> uuid.UUID:
    """Remove a link the viewer's member made; any other id is `NotFound`."""
    member = require_writer(viewer)
    link = await session.scalar(_visible_links(viewer).where(Link.id == link_id))
    if link is None or link.member_id != member:
        raise NotFound("link")
    _audit(session, viewer, link, "link.remove")
    await session.delete(link)
    return link_id


async def by_ids(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Link]:
    """The links among `ids` whose both ends the viewer may list (with `indicators:read`)."""
    if not ids or not viewer.has_scope(Scope.INDICATORS_READ):
        return {}
    query = _visible_links(viewer).where(one_of(Link.id, ids))
    return {link.id: link for link in await session.scalars(query)}


async def of_indicators(
    session: AsyncSession, *, viewer: Viewer, indicator_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Link]]:
    """Each indicator's visible links, either direction (one statement)."""
    found: dict[uuid.UUID, list[Link]] = defaultdict(list)
    ids = set(indicator_ids)
    if not ids:
        return found
    query = _visible_links(viewer).where(
        or_(one_of(Link.source_id, ids), one_of(Link.target_id, ids))
    )
    for link in await session.scalars(query.order_by(Link.created_at, Link.id)):
        for end in {link.source_id, link.target_id} & ids:
            found[end].append(link)
    return found


def _audit(session: AsyncSession, viewer: Viewer, link: Link, action: str) -> None:
    audit_service.record(
        session,
        viewer=viewer,
        action=action,
        target_type="Link",
        target_id=link.id,
        target_member_id=viewer.member_id,
        details={"type": link.link_type.value},
    )
