"""Demo trend reports and indicator trends.

Sixteen months of figures from every demo member that has joined, skewed like real
enforcement (a few large programmes, many small ones), so that the releases show published
cells next to cells suppressed for each reason; the caller builds the releases of the
months whose lag has passed, one transaction per month. Seven members count their records
in aggregates; the demo's records are all new, so their weekly indicator trends are
released once the indicator lag (2 weeks) has passed.

Idempotent: a member that already has reports gets none added; releases are only built
for months whose figures changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import zlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.db import utcnow
from alliance.members.models import Member
from alliance.policies import service as policy_service
from alliance.policies.store import current_policy
from alliance.trends import releases
from alliance.trends import service as trend_service
from alliance.trends.models import TrendReport
from alliance.trends.vocabulary import Metric
from alliance.users.models import User
from sharing import MemberStatus, PrincipalKind, Viewer, scopes_for_roles

MONTHS = 16  # twelve released months, and the three still within the lag
PLATFORMS = ("taobao", "aliexpress", "amazon", "ebay", "shopee", "temu")
# Each demo member's product categories (brands carry free text; trends a closed list).
CATEGORIES = {
    "Maison Lumière SA": ("LEATHER_GOODS", "COSMETICS"),
    "Velden Sportswear GmbH": ("APPAREL", "FOOTWEAR"),
    "Castellano Pelletteria S.p.A.": ("LEATHER_GOODS",),
    "Lumen Pharma AG": ("PHARMACEUTICALS",),
    "Redwood Outdoor Inc.": ("APPAREL", "FOOTWEAR"),
    "Andes Cosmetics S.A.": ("COSMETICS",),
    "Harbor Toys LLC": ("TOYS",),
    "Jade Peak Electronics Co., Ltd.": ("ELECTRONICS",),
    "Golden Crane Apparel Co., Ltd.": ("APPAREL",),
    "Sakura Beauty K.K.": ("COSMETICS",),
    "Southern Cross Wines Pty Ltd": ("FOOD_BEVERAGE",),
    "Hanok Home Appliances Co.": ("ELECTRONICS",),
}
# Typical size of one row's figure per metric, before a member's own scale.
_SCALE = {
    Metric.LISTINGS_REMOVED: 120,
    Metric.SELLER_ACCOUNTS_CLOSED: 15,
    Metric.TEST_BUYS: 6,
    Metric.SEIZURES: 2,
    Metric.UNITS_SEIZED: 400,
    Metric.FACILITIES_CLOSED: 0.3,
    Metric.ARRESTS: 0.4,
}


def _rows(member: Member, months: list[str]) -> list[trend_service.ReportRow]:
    chance = random.Random(zlib.crc32(member.legal_name.encode()))  # noqa: S311 - demo data
    regions = sorted({member.region_code, "CN", chance.choice(["EU", "AMER", "APAC"])})
    platforms = chance.sample(PLATFORMS, 4)
    categories = CATEGORIES.get(member.legal_name, ("APPAREL",))
    # Programmes of comparable size overall, spread over the member's cells.
    size = chance.lognormvariate(0, 0.35) * 6 / (len(regions) * len(categories))
    rows = []
    for month in months:
        for region in regions:
            for platform in platforms:
                for category in categories:
                    figures = {
                        metric.value: int(scale * size * chance.uniform(0.3, 1.7))
                        for metric, scale in _SCALE.items()
                    }
                    rows.append(
                        trend_service.ReportRow(
                            month=month,
                            region=region,
                            platform=platform,
                            category=category,
                            figures=figures,
                        )
                    )
    return rows


# Members whose policy counts their records in alliance aggregates (indicator trends).
COUNTED = (
    "Maison Lumière SA",
    "Velden Sportswear GmbH",
    "Castellano Pelletteria S.p.A.",
    "Redwood Outdoor Inc.",
    "Andes Cosmetics S.A.",
    "Jade Peak Electronics Co., Ltd.",
    "Sakura Beauty K.K.",
)


async def _count_in_aggregates(session: AsyncSession, member: Member) -> None:
    policy, _ = await current_policy(session, member.id)
    if policy.count_in_aggregates:
        return
    admin = await session.scalar(
        select(User).where(User.member_id == member.id, User.email.startswith("admin@"))
    )
    if admin is None:
        return
    viewer = Viewer(
        kind=PrincipalKind.USER,
        principal_id=admin.id,
        member_id=member.id,
        region=member.region_code,
        roles=admin.role_set,
        scopes=scopes_for_roles(admin.role_set),
        member_status=member.status,
    )
    opted = dataclasses.replace(policy, count_in_aggregates=True)
    await policy_service.set_policy(session, viewer=viewer, policy=opted)


async def seed_trends(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Add the demo members' reports (the caller then builds the releases that are due,
    `releases.publish_each`); the members given reports."""
    last = trend_service.month_of(now or utcnow())
    months = [releases.shift_month(last, -back) for back in range(MONTHS - 1, -1, -1)]
    members = await session.scalars(
        select(Member).where(Member.status != MemberStatus.INVITED).order_by(Member.legal_name)
    )
    added = 0
    for member in members:
        if member.legal_name in COUNTED and member.status is MemberStatus.ACTIVE:
            await _count_in_aggregates(session, member)
        reported = await session.scalar(
            select(TrendReport.month).where(TrendReport.member_id == member.id).limit(1)
        )
        if reported is None:
            await trend_service.write_rows(
                session, member_id=member.id, principal_id=member.id, rows=_rows(member, months)
            )
            added += 1
    return added
