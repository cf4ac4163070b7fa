"""Reading expert profiles for a viewer: visibility decided in SQL, one statement a page.

Every query runs on a viewer session (`sharing.session`), which adds the read predicate
(FULL and ANONYMOUS grants, excludes, the owner rule) to each ORM SELECT. On top of it,
`shown` adds the one domain rule of the directory: a profile is shown while its person
is not deactivated and its member is ACTIVE. A suspended member's people cannot answer,
and a member that left (RETAIN or WITHDRAW alike) leaves no reachable people: a profile
is a person, not content that RETAIN keeps (docs/experts.md).

The person and the member are named only at FULL level (`named`, from the same
predicate builder); at ANONYMOUS level a profile is "an expert at a member in <region>".
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.experts.models import ExpertFacet, ExpertProfile, Facet
from alliance.members.models import Member
from alliance.users.models import User, UserStatus
from sharing import MemberStatus, Scope, Viewer
from sharing.audience import Audience
from sharing.policy import ViewerFacts
from sharing.predicate import Reach, visible_to
from sharing.sql_lists import one_of
from sharing.storage import stored_audiences


@dataclasses.dataclass(frozen=True, slots=True)
class VisibleExpert:
    """A profile as one viewer may see it.

    `person_name`, `member_id`, `member_name` are None unless the viewer's level is FULL
    (or it is the viewer's own member's). `region` is the member's home region, always
    there. `audience` is the stored effective audience, for the owner member only.
    """

    profile: ExpertProfile
    topics: Sequence[str]
    languages: Sequence[str]
    regions: Sequence[str]
    region: str
    person_name: str | None
    member_id: uuid.UUID | None
    member_name: str | None
    audience: Audience | None
    is_own: bool


def shown() -> ColumnElement[bool]:
    """Profiles whose person may still be reached: not deactivated, member ACTIVE. The
    statement joins `User` and `Member` on the profile."""
    return and_(User.status != UserStatus.DEACTIVATED, Member.status == MemberStatus.ACTIVE)


def named(viewer: Viewer) -> ColumnElement[bool]:
    """True where the viewer may know who the expert is: its level is FULL (the owner
    member always is)."""
    return visible_to(ExpertProfile, ViewerFacts.of(viewer), Reach.FULL)


def visible_select(viewer: Viewer) -> Select[Any]:
    """Profiles the viewer may list, with what it may know of the person; filter and order
    it further. Without `expertise:read`, nothing."""
    is_named = named(viewer)
    query = (
        select(
            ExpertProfile,
            is_named.label("named"),
            case((is_named, User.display_name), else_=None).label("person_name"),
            case((is_named, Member.legal_name), else_=None).label("member_name"),
            Member.region_code.label("region_code"),
        )
        .join(User, User.id == ExpertProfile.user_id)
        .join(Member, Member.id == ExpertProfile.owner_member_id)
        .where(shown())
    )
    if not viewer.has_scope(Scope.EXPERTISE_READ):
        query = query.where(literal(False))
    return query


def with_facets(facet: Facet, codes: Sequence[str]) -> ColumnElement[bool]:
    """Profiles holding at least one of `codes` of `facet` (no codes: every profile)."""
    if not codes:
        return literal(True)
    return (
        select(ExpertFacet.profile_id)
        .where(
            ExpertFacet.profile_id == ExpertProfile.id,
            ExpertFacet.facet == facet,
            one_of(ExpertFacet.code, list(codes)),
        )
        .exists()
    )


async def facets_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[Facet, list[str]]]:
    """The facets of each profile among `ids`, codes sorted (one statement)."""
    found: dict[uuid.UUID, dict[Facet, list[str]]] = {i: {f: [] for f in Facet} for i in ids}
    if not ids:
        return found
    rows = await session.execute(
        select(ExpertFacet.profile_id, ExpertFacet.facet, ExpertFacet.code)
        .where(one_of(ExpertFacet.profile_id, list(ids)))
        .order_by(ExpertFacet.code)
    )
    for profile_id, facet, code in rows:
        found[profile_id][Facet(facet)].append(code)
    return found


async def materialize(
    session: AsyncSession, viewer: Viewer, rows: Sequence[Any]
) -> list[VisibleExpert]:
    """Rows of `visible_select` as `VisibleExpert`s: two more statements at most."""
    ids = [row.ExpertProfile.id for row in rows]
    facets = await facets_of(session, ids)
    own = [row.ExpertProfile.id for row in rows if _is_own(viewer, row.ExpertProfile)]
    audiences = await stored_audiences(session, ExpertProfile, own)
    return [
        VisibleExpert(
            profile=row.ExpertProfile,
            topics=facets[row.ExpertProfile.id][Facet.TOPIC],
            languages=facets[row.ExpertProfile.id][Facet.LANGUAGE],
            regions=facets[row.ExpertProfile.id][Facet.REGION],
            region=row.region_code,
            person_name=row.person_name if row.named else None,
            member_id=row.ExpertProfile.owner_member_id if row.named else None,
            member_name=row.member_name if row.named else None,
            audience=audiences.get(row.ExpertProfile.id),
            is_own=_is_own(viewer, row.ExpertProfile),
        )
        for row in rows
    ]


def _is_own(viewer: Viewer, profile: ExpertProfile) -> bool:
    return viewer.member_id is not None and profile.owner_member_id == viewer.member_id


async def by_ids(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VisibleExpert]:
    """The profiles among `ids` that the viewer may list; the others are absent."""
    if not ids:
        return {}
    query = visible_select(viewer).where(one_of(ExpertProfile.id, list(ids)))
    found = await materialize(session, viewer, (await session.execute(query)).all())
    return {item.profile.id: item for item in found}


async def of_user(session: AsyncSession, *, viewer: Viewer) -> VisibleExpert | None:
    """The calling person's own profile, if they opted in."""
    query = visible_select(viewer).where(ExpertProfile.user_id == viewer.principal_id)
    found = await materialize(session, viewer, (await session.execute(query)).all())
    return found[0] if found else None
