"""Setting a member's sharing policy: a new version, audited, re-applied to its records."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import Act, may_act_for
from alliance.articles.audience import reapply_articles
from alliance.audit import service as audit_service
from alliance.db import Database
from alliance.errors import IllegalTransition, NotFound
from alliance.experts.audience import reapply_profiles
from alliance.indicators.audience import reapply_in_batches, reapply_policy
from alliance.indicators.models import Indicator
from alliance.indicators.narrowing import narrow_to_policy
from alliance.policies.codec import policy_to_body
from alliance.policies.models import MemberPolicyVersion
from alliance.policies.store import (
    current_policy,
    lock_for_policy_change,
    mark_reapplied,
    members_reapplying,
)
from alliance.policies.targets import require_known_targets
from sharing import MemberStatus, Viewer
from sharing.policy import MemberPolicy


async def store_policy(session: AsyncSession, *, viewer: Viewer, policy: MemberPolicy) -> int:
    """Store `policy` as the member's next version, audited, without re-applying it yet;
    returns the version. Only the member's own admins set its policy (alliance admins
    never do: invariant 6); any other member id is `NotFound` on `memberId`."""
    member_id = policy.member_id
    if not may_act_for(viewer, member_id, Act.POLICY):
        raise NotFound("member", field="memberId")
    # Locked: writers of the member's records wait for this change (alliance/policies/store.py).
    member = await lock_for_policy_change(session, member_id)
    if member is None:
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
    re-applied). When the transaction commits, no record of the member is wider than
    `policy` allows.

    A member with at most `inline_limit` records has them re-applied at once, in the same
    transaction. For a larger member the count is None: the transaction narrows every
    record at once with set-based statements (`narrow_to_policy`), and what the change
    widens follows in batches (`reapply_in_batches`), started by the caller once this
    transaction commits and finished by the service's sweep after a crash
    (`alliance.policies.reapply`).
    """
    version = await store_policy(session, viewer=viewer, policy=policy)
    # A member's articles are few: they follow the policy at once, whatever the branch.
    await reapply_articles(session, member_id=policy.member_id)
    # Expert profiles are one per person: always re-applied at once, whatever the size.
    await reapply_profiles(session, member_id=policy.member_id)
    # Core, not ORM: the owner's every record counts, whatever a viewer session shows.
    table = Indicator.__table__
    held = await session.scalar(
        select(func.count()).select_from(table).where(table.c.owner_member_id == policy.member_id)
    )
    if (held or 0) > inline_limit:
        await narrow_to_policy(session, member_id=policy.member_id)
        return policy, version, None
    reapplied = await reapply_policy(session, member_id=policy.member_id)
    await mark_reapplied(session, policy.member_id, version)
    return policy, version, reapplied


async def reapply_every_member(database: Database, *, batch_size: int = 5000) -> int:
    """Bring the records of every member whose newest policy has not reached all of them
    up to it, batch by batch; returns how many batches ran (0 when nothing was stale).

    Unguarded: the service runs it through `alliance.policies.reapply`, which lets one
    instance at a time do it.
    """
    async with database.session() as session:
        member_ids = await members_reapplying(session)
    batches = 0
    for member_id in member_ids:
        batches += await reapply_in_batches(database, member_id=member_id, batch_size=batch_size)
    return batches


async def policy_of(
    session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID
) -> tuple[MemberPolicy, int]:
    """The member's current policy, for its own admins; else `NotFound`."""
    if not may_act_for(viewer, member_id, Act.POLICY):
        raise NotFound("member", field="memberId")
    return await current_policy(session, member_id)
