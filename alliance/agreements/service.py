"""The data-sharing agreement: versions published by the alliance, accepted by members."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.agreements.models import Agreement, AgreementAcceptance
from alliance.audit import service as audit_service
from alliance.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from alliance.members.models import Member
from sharing import MEMBER_STATUSES_THAT_AUTHENTICATE, Scope, Viewer

# The current version is the highest published (also read by `alliance.principals`).
CURRENT_VERSION = select(func.max(Agreement.version))


async def current_version(session: AsyncSession) -> int | None:
    """The version members must have accepted to read others' data; None before any."""
    return await session.scalar(CURRENT_VERSION)


async def current(session: AsyncSession) -> Agreement | None:
    version = await current_version(session)
    return None if version is None else await session.get(Agreement, version)


async def publish(session: AsyncSession, *, viewer: Viewer, text: str) -> Agreement:
    """Publish the next version (alliance admins). Every member must accept it anew."""
    require_scope(viewer, Scope.ALLIANCE_ADMIN)
    body = text.strip()
    if len(body) < 20:
        raise InvalidInput("The agreement text has at least 20 characters.", field="text")
    version = (await current_version(session) or 0) + 1
    agreement = Agreement(version=version, text=body, published_by=viewer.principal_id)
    session.add(agreement)
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="agreement.publish",
        target_type="Agreement",
        target_id=version,
        details={"version": version},
    )
    return agreement


async def accept(session: AsyncSession, *, viewer: Viewer, version: int) -> Member:
    """Record that the viewer's member accepts agreement `version`, which must be current.

    Only a member admin may accept, for their own member; accepting twice is harmless.
    """
    require_scope(viewer, Scope.MEMBERS_MANAGE)
    if viewer.member_id is None:
        raise Forbidden("Only a member's admin accepts the agreement for that member.")
    latest = await current_version(session)
    if latest is None:
        raise NotFound("agreement", field="version")
    if version != latest:
        raise InvalidInput(f"Only the current version ({latest}) can be accepted.", field="version")
    member = await session.get(Member, viewer.member_id, with_for_update=True)
    if member is None or member.status not in MEMBER_STATUSES_THAT_AUTHENTICATE:
        raise IllegalTransition("This member cannot accept the agreement now.", field="version")
    if member.accepted_agreement_version == version:
        await session.refresh(member, attribute_names=["region", "brands"])
        return member
    session.add(
        AgreementAcceptance(
            member_id=member.id, agreement_version=version, accepted_by=viewer.principal_id
        )
    )
    member.accepted_agreement_version = version
    audit_service.record(
        session,
        viewer=viewer,
        action="agreement.accept",
        target_type="Member",
        target_id=member.id,
        target_member_id=member.id,
        details={"version": version},
    )
    await session.refresh(member, attribute_names=["region", "brands"])
    return member
