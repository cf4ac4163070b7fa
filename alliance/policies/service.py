"""Setting a member's sharing policy: a new version, audited, re-applied to its records."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import can_administer_member
from alliance.audit import service as audit_service
from alliance.db import Database
from alliance.errors import IllegalTransition, NotFound
from alliance.indicators.audience import reapply_in_batches, reapply_policy
from alliance.indicators.models import Indicator
from alliance.members.models import Member
from alliance.policies.codec import policy_to_body
from alliance.policies.models import MemberPolicyVersion
from alliance.policies.store import current_policy
from alliance.policies.targets import require_known_targets
from sharing import MemberStatus, Viewer
from sharing.policy import MemberPolicy


async def store_policy(session: AsyncSession, *, viewer: Viewer, policy: MemberPolicy) -> int:
    """Store `policy` as the member's next version, audited, without re-applying it yet;
    returns the version. Member admins set their own member's policy, alliance admins any
    member's; any other member id is `NotFound` on `memberId`."""
    member_id = policy.member_id
    member = await session.get(Member, member_id)
    if not can_administer_member(viewer, member_id) or member is None:
        raise NotFound("member", field="memberId")
    if member.status is MemberStatus.OFFBOARDED:
        # Re-applying a policy would share again what offboarding withdrew.
        raise IllegalTransition("An offboarded member's policy is closed.", field="memberId")
    await require_known_targets(session, policy)
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


# Up to this many records, a policy change re-applies inside its own transaction; past it,
# one transaction would hold locks on every grant row of the member for too long.
INLINE_REAPPLY_LIMIT = 10_000


async def set_policy(
    session: AsyncSession,
    *,
    viewer: Viewer,
    policy: MemberPolicy,
    inline_limit: int = INLINE_REAPPLY_LIMIT,
) -> tuple[MemberPolicy, int, int | None]:
    """Store `policy` as the member's next version; returns (policy, version, records
    re-applied).

    A member with at most `inline_limit` records has them re-applied at once, in the same
    transaction. For a larger member the count is None: its records are brought up to
    date by `reapply_in_batches` (one short transaction per batch), which the caller
    starts once this transaction commits and `alliance policies reapply` resumes.
    """
    version = await store_policy(session, viewer=viewer, policy=policy)
    # Core, not ORM: the owner's every record counts, whatever a viewer session shows.
    table = Indicator.__table__
    held = await session.scalar(
        select(func.count()).select_from(table).where(table.c.owner_member_id == policy.member_id)
    )
    if (held or 0) > inline_limit:
        return policy, version, None
    reapplied = await reapply_policy(session, member_id=policy.member_id)
    return policy, version, reapplied


async def reapply_every_member(database: Database) -> int:
    """Bring every member's records up to its current policy, batch by batch; returns how
    many batches ran (0 when nothing was stale)."""
    async with database.session() as session:
        member_ids = list(await session.scalars(select(Member.id).order_by(Member.id)))
    batches = 0
    for member_id in member_ids:
        batches += await reapply_in_batches(database, member_id=member_id)
    return batches


async def policy_of(
    session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID
) -> tuple[MemberPolicy, int]:
    """The member's current policy, for its admins and alliance admins; else `NotFound`."""
    if not can_administer_member(viewer, member_id):
        raise NotFound("member", field="memberId")
    return await current_policy(session, member_id)
