"""Demo intelligence for `alliance demo`: about 3,000 indicators of the ten active demo
members, with mixed audiences, infringer networks, shared match keys and sightings.

Deterministic (one seeded random generator per member) and idempotent: indicators are
keyed on (owner, external id), so a second run adds nothing; links and sightings are only
made for indicators created in the same run. Written through the bulk services
(`alliance.indicators.bulk`), which apply each owner's policy like the API does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.agreements import service as agreement_service
from alliance.brands.models import Brand
from alliance.demo_networks import Plan, plan_member
from alliance.demo_values import seeded
from alliance.indicators import bulk
from alliance.indicators.models import Indicator
from alliance.indicators.reads import shown
from alliance.indicators.vocabulary import SightingKind
from alliance.members.models import Member
from alliance.policies import service as policy_service
from alliance.policies.store import current_policy
from alliance.users.models import User
from sharing import MemberStatus, PrincipalKind, Role, Viewer, scopes_for_roles
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey, ViewerFacts
from sharing.predicate import visible_to

SEED = 20261128
SIGHTINGS_PER_MEMBER = 150
SIGHTING_NOTES = (
    None,
    None,
    "Test buy confirmed counterfeit.",
    "Listing removed by the platform after our notice.",
    "Same photos as our seized stock.",
)


@dataclasses.dataclass
class IntelReport:
    """What one run added."""

    indicators: int = 0
    links: int = 0
    sightings: int = 0
    # The showcase records by external id (see `alliance.demo_networks.SHOWCASE`).
    showcase: dict[str, uuid.UUID] = dataclasses.field(default_factory=dict)

    def summary(self) -> str:
        """One line, e.g. "3,012 indicators, 410 links, 1,500 sightings added"."""
        return (
            f"{self.indicators:,} indicators, {self.links:,} links, "
            f"{self.sightings:,} sightings added"
        )


def _viewer(user: User, member: Member, role: Role) -> Viewer:
    roles = frozenset({role})
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=user.id,
        member_id=member.id,
        region=member.region_code,
        roles=roles,
        scopes=scopes_for_roles(roles),
        member_status=member.status,
        agreed=True,
    )


async def writers(session: AsyncSession) -> list[tuple[Member, Viewer, Viewer]]:
    """Every active, agreed member with its analyst's and its admin's viewer, by name."""
    current = await agreement_service.current_version(session)
    members = await session.scalars(
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE, Member.accepted_agreement_version == current)
        .order_by(Member.legal_name)
    )
    found = []
    for member in members:
        users = {
            user.email.split("@")[0]: user
            for user in await session.scalars(select(User).where(User.member_id == member.id))
        }
        if "analyst" in users and "admin" in users:
            analyst = _viewer(users["analyst"], member, Role.ANALYST)
            found.append((member, analyst, _viewer(users["admin"], member, Role.MEMBER_ADMIN)))
    return found


def _policy(member: Member, names: dict[str, uuid.UUID]) -> MemberPolicy | None:
    """Two members with a policy: payment data that never leaves region:EU; a competitor
    excluded from every record."""
    if member.legal_name == "Maison Lumière SA":
        fence = Ceiling(parse_audience("region:EU=FULL"))
        return MemberPolicy(
            member_id=member.id,
            ceilings={
                RuleKey(RecordType.INDICATOR, "PAYMENT_ACCOUNT"): fence,
                RuleKey(RecordType.INDICATOR, "BANK_ACCOUNT"): fence,
            },
        )
    competitor = names.get("Redwood Outdoor Inc.")
    if member.legal_name == "Velden Sportswear GmbH" and competitor is not None:
        return MemberPolicy(member_id=member.id, standing_excludes=frozenset({competitor}))
    return None


async def _set_policies(
    session: AsyncSession, writers: Sequence[tuple[Member, Viewer, Viewer]]
) -> None:
    names = {member.legal_name: member.id for member, _, _ in writers}
    for member, _, admin in writers:
        policy = _policy(member, names)
        if policy is not None and (await current_policy(session, member.id))[1] == 0:
            await policy_service.set_policy(session, viewer=admin, policy=policy)


async def _brands(session: AsyncSession, member: Member) -> list[Brand]:
    found = await session.scalars(
        select(Brand).where(Brand.member_id == member.id).order_by(Brand.name)
    )
    return list(found)


async def _write_plan(
    session: AsyncSession, viewer: Viewer, plan: Plan, report: IntelReport
) -> list[uuid.UUID]:
    ids, created = await bulk.create_indicators(session, viewer=viewer, drafts=plan.drafts)
    report.indicators += len(created)
    report.showcase.update({key: id_ for key, id_ in ids.items() if "-showcase-" in key})
    new = set(created)
    retracted = [ids[external_id] for external_id in plan.retracted if external_id in new]
    await bulk.retract_indicators(session, viewer=viewer, ids=retracted)
    links = [link.resolve(ids) for link in plan.links if link.source in new]
    report.links += await bulk.add_links(session, viewer=viewer, drafts=links)
    return [ids[external_id] for external_id in created]


async def _listable_of_others(session: AsyncSession, viewer: Viewer) -> list[uuid.UUID]:
    """Others' indicators the viewer may list, in a stable order (owner, external id)."""
    rows = await session.execute(
        select(Indicator.id)
        .where(
            Indicator.owner_member_id != viewer.member_id,
            shown(viewer),
            visible_to(Indicator, ViewerFacts.of(viewer)),
        )
        .order_by(Indicator.owner_member_id, Indicator.external_id)
    )
    return list(rows.scalars())


async def _sightings(
    session: AsyncSession, viewer: Viewer, new: set[uuid.UUID], rng: random.Random
) -> int:
    candidates = [id_ for id_ in await _listable_of_others(session, viewer) if id_ in new]
    chosen = rng.sample(candidates, min(SIGHTINGS_PER_MEMBER, len(candidates)))
    base = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    drafts = [
        bulk.SightingDraft(
            indicator_id=id_,
            kind=rng.choices(list(SightingKind), weights=(75, 5, 20))[0],
            note=rng.choice(SIGHTING_NOTES),
            disclosed=rng.random() < 0.3,
            at=base - dt.timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440)),
        )
        for id_ in chosen
    ]
    return await bulk.add_sightings(session, viewer=viewer, drafts=drafts)


async def seed_intel(session: AsyncSession) -> IntelReport:
    """Add the demo indicators, links and sightings (or what is missing of them) inside
    the caller's transaction; returns what this run added."""
    report = IntelReport()
    writing = await writers(session)
    await _set_policies(session, writing)
    others = {member.legal_name: (member.id, member.region_code) for member, _, _ in writing}
    created: set[uuid.UUID] = set()
    for member, analyst, _ in writing:
        rng = seeded(f"{SEED}:{member.legal_name}")
        plan = plan_member(rng, member, await _brands(session, member), others)
        created.update(await _write_plan(session, analyst, plan, report))
    for member, analyst, _ in writing:
        rng = seeded(f"{SEED}:sightings:{member.legal_name}")
        report.sightings += await _sightings(session, analyst, created, rng)
    return report
