"""Setting a member's sharing policy: a new version, audited, re-applied to its records."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import can_administer_member
from alliance.audit import service as audit_service
from alliance.errors import NotFound
from alliance.indicators.audience import reapply_policy
from alliance.members.models import Member
from alliance.policies.codec import policy_to_body
from alliance.policies.models import MemberPolicyVersion
from alliance.policies.store import current_policy
from sharing import Viewer
from sharing.policy import MemberPolicy


async def store_policy(session: AsyncSession, *, viewer: Viewer, policy: MemberPolicy) -> int:
    """Store `policy` as the member's next version, audited, without re-applying it yet;
    returns the version. Member admins set their own member's policy, alliance admins any
    member's; any other member id is `NotFound` on `memberId`."""
    member_id = policy.member_id
    if not can_administer_member(viewer, member_id) or await session.get(Member, member_id) is None:
        raise NotFound("member", field="memberId")
    latest = await session.scalar(
        select(func.max(MemberPolicyVersion.version)).where(
            MemberPolicyVersion.member_id == member_id
        )
    )
    version = (latest or 0) + 1
    session.add(
        MemberPolicyVersion(
            member_id=member_id,
            version=version,
            body=policy_to_body(policy),
            created_by=viewer.principal_id,
        )
    )
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="member_policy.set",
        target_type="MemberPolicy",
        target_id=f"{member_id}:{version}",
        target_member_id=member_id,
        details={"version": version},
    )
    return version


async def set_policy(
    session: AsyncSession, *, viewer: Viewer, policy: MemberPolicy
) -> tuple[MemberPolicy, int, int]:
    """Store `policy` as the member's next version and re-apply it at once to every record
    of the member, in the same transaction; returns (policy, version, records re-applied).

    Members with very many records are better served by `store_policy` followed by
    `alliance.indicators.audience.reapply_in_batches` (one short transaction per batch).
    """
    version = await store_policy(session, viewer=viewer, policy=policy)
    reapplied = await reapply_policy(session, member_id=policy.member_id)
    return policy, version, reapplied


async def policy_of(
    session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID
) -> tuple[MemberPolicy, int]:
    """The member's current policy, for its admins and alliance admins; else `NotFound`."""
    if not can_administer_member(viewer, member_id):
        raise NotFound("member", field="memberId")
    return await current_policy(session, member_id)
