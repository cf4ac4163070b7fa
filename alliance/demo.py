"""Demo data for `alliance demo`: members in every region, brands, users, clients.

Idempotent: what exists already (by legal name, email, client name) is left as it is.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.agreements import service as agreement_service
from alliance.brands import service as brand_service
from alliance.clients import service as client_service
from alliance.clients.models import Client
from alliance.members import service as member_service
from alliance.members.models import Member
from alliance.users import service as user_service
from alliance.users.models import User, UserStatus
from sharing import (
    SYSTEM_VIEWER,
    MemberStatus,
    PrincipalKind,
    Role,
    Scope,
    Viewer,
    scopes_for_roles,
)

AGREEMENT_TEXT = """Alliance data-sharing agreement (demo text, not legal advice).

Members share intelligence about infringers only to enforce their intellectual property
rights. Antitrust notice: members never exchange prices, costs, capacities, sales volumes,
customers, strategies or forecasts, and never agree to refuse to deal with anyone."""

SECRETARIAT_ADMIN = "admin@alliance.example"


@dataclass(frozen=True)
class DemoMember:
    name: str
    region: str
    domain: str
    brands: tuple[tuple[str, str, tuple[int, ...], tuple[str, ...]], ...]
    status: MemberStatus = MemberStatus.ACTIVE


MEMBERS = (
    DemoMember(
        "Maison Lumière SA",
        "EU",
        "maison-lumiere.example",
        (
            ("Lumière", "EUIPO", (3, 14, 18, 25), ("handbags", "perfume")),
            ("Atelier L", "INPI", (18,), ("leather goods",)),
        ),
    ),
    DemoMember(
        "Velden Sportswear GmbH",
        "EU",
        "velden.example",
        (("Velden", "DPMA", (25, 28), ("sportswear", "footwear")),),
    ),
    DemoMember(
        "Castellano Pelletteria S.p.A.",
        "EU",
        "castellano.example",
        (("Castellano", "UIBM", (18, 25), ("handbags", "belts")),),
    ),
    DemoMember(
        "Lumen Pharma AG", "EU", "lumen-pharma.example", (("Lumenol", "IGE", (5,), ("medicines",)),)
    ),
    DemoMember(
        "Redwood Outdoor Inc.",
        "AMER",
        "redwood.example",
        (("Redwood", "USPTO", (22, 25), ("outdoor apparel", "tents")),),
    ),
    DemoMember(
        "Andes Cosmetics S.A.",
        "AMER",
        "andes.example",
        (("Andina", "INPI-BR", (3,), ("cosmetics",)),),
    ),
    DemoMember(
        "Harbor Toys LLC",
        "AMER",
        "harbor-toys.example",
        (("Harbor Friends", "USPTO", (28,), ("toys",)),),
        MemberStatus.INVITED,
    ),
    DemoMember(
        "Jade Peak Electronics Co., Ltd.",
        "CN",
        "jadepeak.example",
        (("JadePeak", "CNIPA", (9,), ("phone accessories", "earbuds")),),
    ),
    DemoMember(
        "Golden Crane Apparel Co., Ltd.",
        "CN",
        "goldencrane.example",
        (("Golden Crane", "CNIPA", (25,), ("apparel",)),),
    ),
    DemoMember(
        "Sakura Beauty K.K.",
        "APAC",
        "sakura-beauty.example",
        (("Sakura", "JPO", (3,), ("skincare",)),),
    ),
    DemoMember(
        "Southern Cross Wines Pty Ltd",
        "APAC",
        "southern-cross.example",
        (("Southern Cross", "IP Australia", (33,), ("wine",)),),
        MemberStatus.SUSPENDED,
    ),
    DemoMember(
        "Hanok Home Appliances Co.",
        "APAC",
        "hanok.example",
        (("Hanok", "KIPO", (7, 11), ("kitchen appliances",)),),
    ),
)

USER_ROLES = (("admin", Role.MEMBER_ADMIN), ("analyst", Role.ANALYST), ("readonly", Role.READ_ONLY))
CLIENT_SCOPES = (Scope.INDICATORS_READ, Scope.INDICATORS_WRITE, Scope.SYNC)


@dataclass
class DemoReport:
    users: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, member
    clients: list[tuple[str, str, str | None]] = field(default_factory=list)  # member, id, secret


def _as_user(user: User, member: Member) -> Viewer:
    roles = user.role_set
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=user.id,
        member_id=member.id,
        region=member.region_code,
        roles=roles,
        scopes=scopes_for_roles(roles),
        member_status=member.status,
    )


async def _user(session: AsyncSession, member: Member | None, email: str, role: Role) -> User:
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        member_id = member.id if member else None
        user = await user_service.invite(
            session, viewer=SYSTEM_VIEWER, member_id=member_id, email=email, roles=[role]
        )
        user.status = UserStatus.ACTIVE
    return user


async def _member(session: AsyncSession, demo: DemoMember, report: DemoReport) -> None:
    member = await session.scalar(select(Member).where(Member.legal_name == demo.name))
    if member is None:
        member = await member_service.invite(
            session, viewer=SYSTEM_VIEWER, legal_name=demo.name, region_code=demo.region
        )
        for name, office, classes, categories in demo.brands:
            mark = brand_service.Trademark(
                office, f"{zlib.crc32(name.encode()) % 10**9:09d}", classes
            )
            await brand_service.create(
                session,
                viewer=SYSTEM_VIEWER,
                member_id=member.id,
                name=name,
                trademarks=[mark],
                product_categories=categories,
            )
    users = {
        prefix: await _user(session, member, f"{prefix}@{demo.domain}", role)
        for prefix, role in USER_ROLES
    }
    for prefix, role in USER_ROLES:
        report.users.append((f"{prefix}@{demo.domain}", role.value, demo.name))
    current = await agreement_service.current_version(session)
    if member.status is MemberStatus.INVITED and demo.status is not MemberStatus.INVITED:
        if current is not None and member.accepted_agreement_version != current:
            await agreement_service.accept(
                session, viewer=_as_user(users["admin"], member), version=current
            )
        await member_service.activate(session, viewer=SYSTEM_VIEWER, member_id=member.id)
        if demo.status is MemberStatus.SUSPENDED:
            await member_service.suspend(session, viewer=SYSTEM_VIEWER, member_id=member.id)
    await _client(session, member, report)


async def _client(session: AsyncSession, member: Member, report: DemoReport) -> None:
    name = f"{member.legal_name} case system"
    client = await session.scalar(
        select(Client).where(Client.member_id == member.id, Client.name == name)
    )
    secret: str | None = None
    if client is None:
        client, secret = await client_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=member.id, name=name, scopes=CLIENT_SCOPES
        )
    report.clients.append((member.legal_name, client.client_id, secret))


async def seed(session: AsyncSession) -> DemoReport:
    """Create the demo alliance (or complete it), inside the caller's transaction."""
    report = DemoReport()
    await _user(session, None, SECRETARIAT_ADMIN, Role.ALLIANCE_ADMIN)
    report.users.append((SECRETARIAT_ADMIN, Role.ALLIANCE_ADMIN.value, "secretariat"))
    if await agreement_service.current_version(session) is None:
        await agreement_service.publish(session, viewer=SYSTEM_VIEWER, text=AGREEMENT_TEXT)
    for demo in MEMBERS:
        await _member(session, demo, report)
    return report
