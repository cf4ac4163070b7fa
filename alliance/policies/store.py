"""Reading member policies and the alliance's regions, as the sharing engine needs them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.members.models import Member
from alliance.policies.codec import policy_from_body
from alliance.policies.models import MemberPolicyVersion
from alliance.regions.models import Region
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


async def alliance_regions(session: AsyncSession) -> AllianceRegions:
    """Every region and every member's home region."""
    codes = (await session.scalars(select(Region.code))).all()
    homes = (await session.execute(select(Member.id, Member.region_code))).all()
    return AllianceRegions(frozenset(codes), {member: region for member, region in homes})
