"""Members: onboarding, the status machine of DESIGN §2, and the member directory."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from alliance.access import require_scope
from alliance.agreements import service as agreement_service
from alliance.audit import service as audit_service
from alliance.db import utcnow
from alliance.errors import AgreementRequired, Conflict, IllegalTransition, InvalidInput, NotFound
from alliance.members.models import DataDisposition, Member
from alliance.pagination import Page, decode_cursor, encode_cursor, require_page_size
from alliance.regions import service as region_service
from sharing import MemberStatus, Scope, Viewer
from sharing.directory import DirectoryScope, directory_scope
from sharing.storage import withdraw_owner

# operation -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[MemberStatus], MemberStatus]] = {
    "activate": (frozenset({MemberStatus.INVITED}), MemberStatus.ACTIVE),
    "suspend": (frozenset({MemberStatus.ACTIVE}), MemberStatus.SUSPENDED),
    "reinstate": (frozenset({MemberStatus.SUSPENDED}), MemberStatus.ACTIVE),
    "offboard": (
        frozenset({MemberStatus.ACTIVE, MemberStatus.SUSPENDED}),
        MemberStatus.OFFBOARDED,
    ),
}


async def loaded(session: AsyncSession, member: Member) -> Member:
    """The member with its region and brands loaded, ready to be shown."""
    await session.refresh(member, attribute_names=["region", "brands"])
    return member


def _clean_name(legal_name: str) -> str:
    name = " ".join(legal_name.split())
    if not 2 <= len(name) <= 200:
        raise InvalidInput("A legal name has 2 to 200 characters.", field="legalName")
    return name


async def invite(
    session: AsyncSession,
    *,
    viewer: Viewer,
    legal_name: str,
    region_code: str,
    contacts: Sequence[dict[str, Any]] = (),
) -> Member:
    """Create a member in status INVITED (alliance admins only)."""
    require_scope(viewer, Scope.ALLIANCE_ADMIN)
    name = _clean_name(legal_name)
    await region_service.require_region(session, region_code, field="region")
    taken = await session.scalar(
        select(Member.id).where(func.lower(Member.legal_name) == name.lower())
    )
    if taken is not None:
        raise Conflict("A member with this legal name exists already.", field="legalName")
    member = Member(legal_name=name, region_code=region_code, contacts=list(contacts))
    session.add(member)
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="member.invite",
        target_type="Member",
        target_id=member.id,
        target_member_id=member.id,
        details={"legal_name": name, "region": region_code},
    )
    return await loaded(session, member)


async def _transition(
    session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID, operation: str
) -> Member:
    require_scope(viewer, Scope.ALLIANCE_ADMIN)
    member = await session.get(Member, member_id, with_for_update=True)
    if member is None:
        raise NotFound("member")
    sources, target = TRANSITIONS[operation]
    if member.status not in sources:
        allowed = ", ".join(sorted(sources))
        raise IllegalTransition(
            f"Cannot {operation} a member that is {member.status}; "
            f"only a member that is {allowed} can be.",
            field="id",
        )
    previous = member.status
    member.status = target
    member.status_changed_at = utcnow()
    audit_service.record(
        session,
        viewer=viewer,
        action=f"member.{operation}",
        target_type="Member",
        target_id=member.id,
        target_member_id=member.id,
        details={"from": previous.value, "to": target.value},
    )
    return await loaded(session, member)


async def activate(session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID) -> Member:
    """INVITED → ACTIVE, once the member has accepted the current agreement."""
    member = await _transition(session, viewer=viewer, member_id=member_id, operation="activate")
    current = await agreement_service.current_version(session)
    if current is None or member.accepted_agreement_version != current:
        raise AgreementRequired(
            "The member must accept the current data-sharing agreement before activation.",
            field="id",
        )
    return member


async def suspend(session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID) -> Member:
    """ACTIVE → SUSPENDED: its people and systems can no longer authenticate."""
    return await _transition(session, viewer=viewer, member_id=member_id, operation="suspend")


async def reinstate(session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID) -> Member:
    """SUSPENDED → ACTIVE."""
    return await _transition(session, viewer=viewer, member_id=member_id, operation="reinstate")


async def offboard(
    session: AsyncSession,
    *,
    viewer: Viewer,
    member_id: uuid.UUID,
    disposition: DataDisposition,
) -> Member:
    """ACTIVE or SUSPENDED → OFFBOARDED. With RETAIN the member's records stay shared,
    attributed to "a former member"; with WITHDRAW they leave every other member's view."""
    member = await _transition(session, viewer=viewer, member_id=member_id, operation="offboard")
    member.data_disposition = disposition
    if disposition is DataDisposition.WITHDRAW:
        # Every record leaves every other member's view in this same transaction.
        await withdraw_owner(session, member.id)
    return member


def directory_filter(viewer: Viewer) -> ColumnElement[bool]:
    scope = directory_scope(viewer)
    if scope is DirectoryScope.EVERY_MEMBER:
        return true()
    if scope is DirectoryScope.ACTIVE_AND_OWN:
        return (Member.status == MemberStatus.ACTIVE) | (Member.id == viewer.member_id)
    if scope is DirectoryScope.OWN_ONLY:
        return Member.id == viewer.member_id
    return false()


async def directory(
    session: AsyncSession, *, viewer: Viewer, first: int = 50, after: str | None = None
) -> Page[Member]:
    """The members `viewer` may see, by legal name, with their brands loaded."""
    require_page_size(first)
    visible = directory_filter(viewer)
    query = select(Member).where(visible).options(selectinload(Member.brands))
    key = decode_cursor(after, size=2)
    if key is not None:
        query = query.where(
            tuple_(Member.legal_name, Member.id) > tuple_(key[0], uuid.UUID(key[1]))
        )
    rows = (
        await session.scalars(query.order_by(Member.legal_name, Member.id).limit(first + 1))
    ).all()
    total = await session.scalar(select(func.count()).select_from(Member).where(visible))
    items = rows[:first]
    return Page(
        items=items,
        cursors=[encode_cursor([m.legal_name, str(m.id)]) for m in items],
        has_next_page=len(rows) > first,
        total_count=total or 0,
    )


async def visible_by_ids(
    session: AsyncSession, *, viewer: Viewer, member_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Member]:
    """The members among `member_ids` that `viewer` may see (the others are simply absent)."""
    ids = set(member_ids)
    if not ids:
        return {}
    rows = await session.scalars(
        select(Member)
        .where(Member.id.in_(ids), directory_filter(viewer))
        .options(selectinload(Member.brands))
    )
    return {member.id: member for member in rows}


async def require_visible(session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID) -> Member:
    """The member, or `NotFound` when it does not exist or the viewer may not see it."""
    found = await visible_by_ids(session, viewer=viewer, member_ids=[member_id])
    if member_id not in found:
        raise NotFound("member")
    return found[member_id]
