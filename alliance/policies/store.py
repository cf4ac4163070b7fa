"""Reading member policies and the alliance's regions, as the sharing engine needs them.

A member's policy and the effective audiences of its records change together. A writer
computing audiences from the policy holds the member row in key-share mode
(`policy_for_records`) and a policy change holds it exclusively (`lock_for_policy_change`),
so a policy change waits for writers that read the previous policy and its narrowing then
covers what they wrote, and a writer starting during the change reads the new policy.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.db import utcnow
from alliance.errors import Forbidden
from alliance.members.models import Member
from alliance.policies.codec import policy_from_body
from alliance.policies.models import MemberPolicyVersion
from alliance.regions.models import Region
from sharing import MemberStatus
from sharing.audience import AllianceRegions
from sharing.policy import MemberPolicy


async def current_policy(session: AsyncSession, member_id: uuid.UUID) -> tuple[MemberPolicy, int]:
    """The member's newest policy and its version; version 0 is the built-in default
    (owner-only defaults, no ceilings, no excludes, no fences)."""
    row = await session.scalar(
        select(MemberPolicyVersion)
        .where(MemberPolicyVersion.member_id == member_id)
        .order_by(MemberPolicyVersion.version.desc())
        .limit(1)
    )
    if row is None:
        return MemberPolicy(member_id=member_id), 0
    return policy_from_body(member_id, row.version, row.body), row.version


async def policy_for_records(
    session: AsyncSession, member_id: uuid.UUID
) -> tuple[MemberPolicy, int]:
    """The member's current policy (as `current_policy`) for computing its records'
    audiences: it stays current until the caller's transaction ends, because a policy
    change waits for that transaction (PostgreSQL: FOR KEY SHARE on the member row;
    SQLite has one writer at a time).

    `Forbidden` unless the member is active: a request authenticated just before its
    member was suspended or offboarded must not write audiences after it, or a WITHDRAW
    would miss what it wrote (DESIGN §3, invariant 7). Offboarding waits for the caller.
    """
    status = await session.scalar(
        select(Member.status)
        .where(Member.id == member_id)
        .with_for_update(read=True, key_share=True)
    )
    if status is not MemberStatus.ACTIVE:
        raise Forbidden("Only an active member writes records.")
    return await current_policy(session, member_id)


async def policy_to_reapply(
    session: AsyncSession, member_id: uuid.UUID
) -> tuple[MemberPolicy, int] | None:
    """The member's current policy for re-applying it (as `policy_for_records`), or None
    once the member is offboarded: its policy is closed and its records stay as
    offboarding left them. The member row is held in share mode, so offboarding waits
    for the caller's transaction (and its withdrawal then covers what it wrote)."""
    status = await session.scalar(
        select(Member.status).where(Member.id == member_id).with_for_update(read=True)
    )
    if status is None or status is MemberStatus.OFFBOARDED:
        return None
    return await current_policy(session, member_id)


async def lock_for_policy_change(session: AsyncSession, member_id: uuid.UUID) -> Member | None:
    """The member, locked until the caller's transaction ends against writers of its
    records and other policy changes (FOR UPDATE); None if there is no such member."""
    member: Member | None = await session.scalar(
        select(Member).where(Member.id == member_id).with_for_update()
    )
    return member


async def mark_reapplied(session: AsyncSession, member_id: uuid.UUID, version: int) -> None:
    """Note that every record of the member now carries policy `version`."""
    await session.execute(
        update(MemberPolicyVersion)
        .where(
            MemberPolicyVersion.member_id == member_id,
            MemberPolicyVersion.version == version,
            MemberPolicyVersion.reapplied_at.is_(None),
        )
        .values(reapplied_at=utcnow())
    )


async def members_reapplying(session: AsyncSession) -> list[uuid.UUID]:
    """Members whose newest policy version has not yet reached all of their records."""
    latest = (
        select(MemberPolicyVersion.member_id, func.max(MemberPolicyVersion.version).label("v"))
        .group_by(MemberPolicyVersion.member_id)
        .subquery()
    )
    query = (
        select(MemberPolicyVersion.member_id)
        .join(
            latest,
            (latest.c.member_id == MemberPolicyVersion.member_id)
            & (latest.c.v == MemberPolicyVersion.version),
        )
        .where(MemberPolicyVersion.reapplied_at.is_(None))
        .order_by(MemberPolicyVersion.member_id)
    )
    return list(await session.scalars(query))


async def alliance_regions(session: AsyncSession) -> AllianceRegions:
    """Every region and every member's home region."""
    codes = (await session.scalars(select(Region.code))).all()
    homes = (await session.execute(select(Member.id, Member.region_code))).all()
    return AllianceRegions(frozenset(codes), {member: region for member, region in homes})
