"""The demo expert directory: idempotent, and shared FULL and ANONYMOUS as planned."""

from __future__ import annotations

from sqlalchemy import select

from alliance import demo
from alliance.db import Database
from alliance.demo_experts import seed_experts
from alliance.experts.search import ExpertFilter, search
from alliance.members.models import Member
from alliance.users.models import User
from tests.fixtures.experts import person_viewer


async def test_demo_experts_are_seeded_once_and_shared_as_planned(db: Database) -> None:
    async with db.transaction() as session:
        await demo.seed(session)
        assert await seed_experts(session) == 7
    async with db.transaction() as session:
        assert await seed_experts(session) == 0
        member = await session.scalar(
            select(Member).where(Member.legal_name == "Golden Crane Apparel Co., Ltd.")
        )
        user = await session.scalar(select(User).where(User.email == "analyst@goldencrane.example"))
    assert member is not None
    assert user is not None
    # a CN analyst sees every expert but the one shared with region:EU only
    viewer = person_viewer(user, member)
    async with db.viewer_transaction(viewer) as session:
        page = await search(session, viewer=viewer, wanted=ExpertFilter(), first=100)
    seen = sorted((item.person_name or f"anonymous in {item.region}") for item in page.items)
    assert seen == [
        "Claire Fontaine",
        "Li Wei",
        "Maya Thompson",
        "Yuki Tanaka",
        "anonymous in AMER",
        "anonymous in EU",
    ]
