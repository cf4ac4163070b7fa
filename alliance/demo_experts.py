"""Demo expert directory for `alliance demo`: people of several members and regions who
opted in, some named to the whole alliance (FULL), some shown as "an expert at a member
in <region>" (ANONYMOUS) beyond their own region.

Idempotent: a person who already has a profile is left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.demo import MEMBERS, _user
from alliance.experts import service as expert_service
from alliance.experts.models import ExpertProfile
from alliance.members.models import Member
from alliance.users.models import User
from sharing import MemberStatus, PrincipalKind, Role, Viewer, scopes_for_roles
from sharing.audience import parse_audience


@dataclass(frozen=True)
class DemoExpert:
    domain: str  # the member's (see alliance.demo.MEMBERS)
    name: str
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    regions: tuple[str, ...]
    audience: str
    bio: str


EXPERTS = (
    DemoExpert(
        "maison-lumiere.example", "Claire Fontaine", ("AUTHENTICATION", "CUSTOMS", "TRAINING"),
        ("fr", "en"), ("EU",), "alliance=FULL",
        "Trains customs officers to authenticate leather goods and perfume.",
    ),
    DemoExpert(
        "velden.example", "Jonas Weber", ("ONLINE_ENFORCEMENT", "PLATFORM_TAKEDOWNS"),
        ("de", "en"), ("EU",), "alliance=ANONYMOUS, region:EU=FULL",
        "Marketplace notice-and-takedown programmes at scale.",
    ),
    DemoExpert(
        "castellano.example", "Giulia Rossi", ("CIVIL_LITIGATION", "CUSTOMS"),
        ("it", "en"), ("EU",), "region:EU=FULL",
        "Customs seizures and civil actions in Italian courts.",
    ),
    DemoExpert(
        "redwood.example", "Maya Thompson", ("INVESTIGATIONS", "TEST_BUYS"),
        ("en", "es"), ("AMER", "CN"), "alliance=FULL",
        "Runs test-buy programmes and supplier investigations.",
    ),
    DemoExpert(
        "andes.example", "Rafael Souza", ("CUSTOMS", "CRIMINAL_ENFORCEMENT"),
        ("pt", "es", "en"), ("AMER",), "alliance=ANONYMOUS",
        "Raids and criminal referrals in Brazil and the Andean countries.",
    ),
    DemoExpert(
        "jadepeak.example", "Li Wei", ("ONLINE_ENFORCEMENT", "IMAGE_FORENSICS"),
        ("zh", "en"), ("CN", "APAC"), "alliance=ANONYMOUS, region:CN=FULL",
        "Finds counterfeit listings by image and follows them to their factories.",
    ),
    DemoExpert(
        "sakura-beauty.example", "Yuki Tanaka", ("AUTHENTICATION", "TRAINING"),
        ("ja", "en"), ("APAC",), "alliance=FULL",
        "Authentication of skincare packaging; platform training in Japan.",
    ),
)  # fmt: skip


def _person(user: User, member: Member) -> Viewer:
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=user.id,
        member_id=member.id,
        region=member.region_code,
        roles=user.role_set,
        scopes=scopes_for_roles(user.role_set),
        member_status=member.status,
        agreed=member.accepted_agreement_version is not None,
    )


async def seed_experts(session: AsyncSession) -> int:
    """Opt the demo experts in (those not in yet), inside the caller's transaction;
    returns how many profiles this run added. Members not active are skipped."""
    names = {demo.domain: demo.name for demo in MEMBERS}
    added = 0
    for expert in EXPERTS:
        member = await session.scalar(
            select(Member).where(Member.legal_name == names[expert.domain])
        )
        if member is None or member.status is not MemberStatus.ACTIVE:
            continue
        user = await _user(session, member, f"expert@{expert.domain}", Role.ANALYST)
        user.display_name = expert.name
        held = await session.scalar(
            select(ExpertProfile.id).where(ExpertProfile.user_id == user.id)
        )
        if held is not None:
            continue
        draft = expert_service.ProfileDraft(
            topics=expert.topics,
            languages=expert.languages,
            regions=expert.regions,
            bio=expert.bio,
            audience=parse_audience(expert.audience),
        )
        await expert_service.set_profile(session, viewer=_person(user, member), draft=draft)
        added += 1
    return added
