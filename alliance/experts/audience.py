"""Expert profiles' effective audiences: computed when a profile is written, re-applied
whenever its member's policy changes (alliance/policies/service.py)."""

from __future__ import annotations

import uuid
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.experts.models import ExpertProfile
from alliance.indicators.audience import require_known_targets
from alliance.members.models import Member
from alliance.policies.store import alliance_regions, policy_for_records, policy_to_reapply
from sharing.audience import AllianceRegions, Audience, Level, Tlp, parse_audience
from sharing.errors import SharingError
from sharing.policy import MemberPolicy, RecordType, effective_audience
from sharing.storage import write_audiences

# A profile carries no TLP label; GREEN lets it go to any kind of target.
PROFILE_TLP = Tlp.GREEN


def require_listable(requested: Audience | None) -> None:
    """`InvalidInput` naming `audience` for a MATCH_ONLY grant: a profile holds no value
    anybody could match, so MATCH_ONLY would only hide it."""
    if requested is None:
        return
    if any(grant.level is Level.MATCH_ONLY for grant in requested.grants):
        raise InvalidInput(
            "An expert profile is shared at FULL or ANONYMOUS level, never MATCH_ONLY.",
            field="audience",
        )


def _listable_only(audience: Audience) -> Audience:
    # A policy default may hold MATCH_ONLY grants (meant for indicators): they reach
    # nobody with a profile, so they are not stored.
    grants = frozenset(g for g in audience.grants if g.level is not Level.MATCH_ONLY)
    return Audience(grants, audience.excludes)


def _effective(
    requested: Audience | None,
    *,
    owner_id: uuid.UUID,
    policy: MemberPolicy,
    regions: AllianceRegions,
    home_region: str,
    reapplying: bool = False,
) -> Audience:
    # The profile names a person of the member's home region: personal data from there,
    # so the member's region fences apply to it.
    audience = effective_audience(
        requested,
        owner_id=owner_id,
        tlp=PROFILE_TLP,
        policy=policy,
        record_type=RecordType.EXPERT_PROFILE,
        kind=None,
        regions=regions,
        personal_data_region=home_region,
        reapplying=reapplying,
    )
    return _listable_only(audience)


async def effective_for_profile(
    session: AsyncSession, *, owner_id: uuid.UUID, home_region: str, requested: Audience | None
) -> tuple[Audience, int]:
    """The audience to store for a profile of `owner_id` and the policy version applied;
    a refusal (MATCH_ONLY, the policy, an unknown target) is an `InvalidInput` naming
    `audience`."""
    require_listable(requested)
    policy, version = await policy_for_records(session, owner_id)
    regions = await alliance_regions(session)
    try:
        require_known_targets(regions, requested, None)
        audience = _effective(
            requested, owner_id=owner_id, policy=policy, regions=regions, home_region=home_region
        )
    except SharingError as refused:
        raise InvalidInput(refused.message, field=refused.field or "audience") from None
    return audience, version


async def reapply_profiles(session: AsyncSession, *, member_id: uuid.UUID) -> int:
    """Recompute every profile of `member_id` under its current policy, in the caller's
    transaction; returns how many. Profiles are one per person, so this is always
    small enough to run inside the policy change. Nothing for an offboarded member."""
    current = await policy_to_reapply(session, member_id)
    if current is None:
        return 0
    policy, version = current
    regions = await alliance_regions(session)
    home = await session.scalar(select(Member.region_code).where(Member.id == member_id))
    table = cast(Table, ExpertProfile.__table__)
    rows = (
        await session.execute(
            select(table.c.id, table.c.requested_audience).where(
                table.c.owner_member_id == member_id
            )
        )
    ).all()
    audiences = {
        row.id: _effective(
            None if row.requested_audience is None else parse_audience(row.requested_audience),
            owner_id=member_id,
            policy=policy,
            regions=regions,
            home_region=str(home),
            reapplying=True,
        )
        for row in rows
    }
    await write_audiences(session, ExpertProfile, audiences)
    if audiences:
        await session.execute(
            update(table).where(table.c.owner_member_id == member_id).values(policy_version=version)
        )
    return len(audiences)
