"""A policy names only regions and members the alliance has."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.policies.store import alliance_regions
from sharing.errors import InvalidSharingInput
from sharing.policy import MemberPolicy


async def require_known_targets(session: AsyncSession, policy: MemberPolicy) -> None:
    """`InvalidInput` naming the field (`defaults`, `ceilings`, `standingExcludes`,
    `fences`) when the policy names a region or member that does not exist: stored, it
    would silently fence, exclude or share with nobody.

    What it reveals to the member's admin: whether a member id it already holds belongs
    to a member of any status (ids are random UUIDs; the directory lists active members).
    """
    regions = await alliance_regions(session)
    try:
        for audience in policy.defaults.values():
            regions.require_known(audience, "defaults")
        for ceiling in policy.ceilings.values():
            regions.require_known(ceiling.audience, "ceilings")
        for member_id in policy.standing_excludes:
            regions.require_member(member_id, "standingExcludes")
        for fence in policy.fences:
            regions.require_region(fence.data_region, "fences")
            regions.require_region(fence.to_region, "fences")
    except InvalidSharingInput as invalid:
        raise InvalidInput(invalid.message, field=invalid.field) from None
