"""Opting in and out of the expert directory: only a person, about themself.

`set_profile` creates or replaces the calling user's profile; `remove_profile` deletes it
with its facets and audience rows, so it leaves every view at once (lists, `node`,
contact requests). Both are audited. Open contact requests to a removed profile stay
with their recipient (alliance/contact_requests/service.py).
"""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.audit import service as audit_service
from alliance.db import utcnow
from alliance.errors import Forbidden, InvalidInput, NotFound
from alliance.experts.audience import effective_for_profile
from alliance.experts.models import ExpertFacet, ExpertProfile, Facet
from alliance.experts.validation import (
    require_bio,
    require_languages,
    require_regions,
    require_topics,
)
from alliance.members.models import Member
from alliance.regions.models import Region
from sharing import PrincipalKind, Scope, Viewer
from sharing.audience import Audience, format_audience
from sharing.storage import write_audiences


@dataclasses.dataclass(frozen=True, slots=True)
class ProfileDraft:
    """What a person says of themself; `audience` None: their member policy's default."""

    topics: tuple[str, ...]
    languages: tuple[str, ...]
    regions: tuple[str, ...] = ()
    bio: str = ""
    audience: Audience | None = None


def require_person(viewer: Viewer) -> uuid.UUID:
    """The viewer's member, if the viewer is a person of an active, agreed member with
    `expertise:write`; member systems (clients) never have a profile."""
    require_scope(viewer, Scope.EXPERTISE_WRITE)
    if viewer.kind is not PrincipalKind.USER:
        raise Forbidden("Only a person opts in to the expert directory, for themself.")
    if viewer.member_id is None or not viewer.can_read_shared:
        raise Forbidden("Only a person of an active member that accepted the agreement opts in.")
    return viewer.member_id


async def _facets(session: AsyncSession, draft: ProfileDraft) -> dict[Facet, list[str]]:
    topics = require_topics(draft.topics)
    languages = require_languages(draft.languages)
    if not topics:
        raise InvalidInput("Give at least one topic.", field="topics")
    if not languages:
        raise InvalidInput("Give at least one language.", field="languages")
    known = set(await session.scalars(select(Region.code)))
    regions = require_regions(draft.regions, known)
    return {Facet.TOPIC: topics, Facet.LANGUAGE: languages, Facet.REGION: regions}


async def set_profile(
    session: AsyncSession, *, viewer: Viewer, draft: ProfileDraft
) -> ExpertProfile:
    """Create or replace the calling person's profile with `draft` (every field
    replaced); `InvalidInput` naming the field for bad input, nothing written then."""
    member_id = require_person(viewer)
    facets = await _facets(session, draft)
    bio = require_bio(draft.bio)
    home = await session.scalar(select(Member.region_code).where(Member.id == member_id))
    audience, version = await effective_for_profile(
        session, owner_id=member_id, home_region=str(home), requested=draft.audience
    )
    profile = await _own(session, viewer)
    created = profile is None
    if profile is None:
        profile = ExpertProfile(id=uuid.uuid4(), user_id=viewer.principal_id)
        session.add(profile)
    profile.owner_member_id = member_id
    profile.bio = bio
    profile.requested_audience = None if draft.audience is None else format_audience(draft.audience)
    profile.policy_version = version
    profile.updated_at = utcnow()  # also when only its facets or audience change
    await session.flush()
    await session.execute(delete(ExpertFacet).where(ExpertFacet.profile_id == profile.id))
    rows = [
        {"profile_id": profile.id, "facet": facet, "code": code}
        for facet, codes in facets.items()
        for code in codes
    ]
    await session.execute(insert(ExpertFacet), rows)
    await write_audiences(session, ExpertProfile, {profile.id: audience})
    _audit(
        session, viewer, profile, "expert_profile.create" if created else "expert_profile.update"
    )
    return profile


async def remove_profile(session: AsyncSession, *, viewer: Viewer) -> uuid.UUID:
    """Opt the calling person out: their profile is deleted, with its facets and audience
    rows; returns its id. `NotFound` when they have none."""
    require_person(viewer)
    profile = await _own(session, viewer)
    if profile is None:
        raise NotFound("expert profile", field=None)
    _audit(session, viewer, profile, "expert_profile.remove")
    await session.delete(profile)
    await session.flush()
    return profile.id


async def _own(session: AsyncSession, viewer: Viewer) -> ExpertProfile | None:
    # The person's own profile, through the viewer session: their member owns it.
    found: ExpertProfile | None = await session.scalar(
        select(ExpertProfile).where(ExpertProfile.user_id == viewer.principal_id)
    )
    return found


def _audit(session: AsyncSession, viewer: Viewer, profile: ExpertProfile, action: str) -> None:
    audit_service.record(
        session,
        viewer=viewer,
        action=action,
        target_type="ExpertProfile",
        target_id=profile.id,
        target_member_id=profile.owner_member_id,
    )
