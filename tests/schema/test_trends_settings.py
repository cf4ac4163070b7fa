"""Disclosure settings: alliance admins only, stricter than the defaults only, and a change
applies to releases built afterwards (a frozen release keeps its rules)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from alliance.db import Database
from alliance.trends import releases
from alliance.trends.models import TrendRelease
from sharing import Scope
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

SET = """mutation($input: DisclosureSettingsSetInput!) { disclosureSettingsSet(input: $input) {
  errors { code field } settings { minContributors dominance protection reportLagMonths } } }"""
READ = "query { disclosureSettings { minContributors dominance protection reportLagMonths } }"
SUBMIT = """mutation($rows: [TrendReportRowInput!]!) { trendReportSubmit(rows: $rows) {
  errors { code field } reports { month } } }"""


def row(month: str) -> dict[str, Any]:
    return {"month": month, "region": "EU", "platform": "EBAY", "category": "TOYS", "arrests": 2}


async def test_only_stricter_values_and_only_for_alliance_admins(api: Api, world: World) -> None:
    admin = world.token(await world.alliance_admin())
    member_admin = world.token(await world.admin_of(await world.member()))

    refused = await api.query(SET, {"input": {"minContributors": 7}}, token=member_admin)
    assert refused["disclosureSettingsSet"]["errors"] == [{"code": "FORBIDDEN", "field": None}]
    for loose, field in [
        ({"minContributors": 4}, "minContributors"),
        ({"dominance": 0.3}, "dominance"),
        ({"protection": 0.1}, "protection"),
        ({"reportLagMonths": 1}, "reportLagMonths"),
    ]:
        done = await api.query(SET, {"input": loose}, token=admin)
        assert done["disclosureSettingsSet"]["errors"] == [{"code": "VALIDATION", "field": field}]

    done = await api.query(SET, {"input": {"minContributors": 7, "dominance": 0.2}}, token=admin)
    assert done["disclosureSettingsSet"]["settings"] == {
        "minContributors": 7,
        "dominance": 0.2,
        "protection": 0.2,
        "reportLagMonths": 3,
    }
    assert (await api.query(READ, token=admin))["disclosureSettings"]["minContributors"] == 7


async def test_a_change_applies_to_later_releases_only(
    api: Api, world: World, db: Database
) -> None:
    member = await world.member()
    client = await world.client(member, scopes=[Scope.TRENDS_WRITE])
    writer = world.token(client)  # a member system reports too
    done = await api.query(SUBMIT, {"rows": [row("2025-01")]}, token=writer)
    assert done["trendReportSubmit"]["errors"] == []
    async with db.transaction() as session:
        await releases.publish(session)
    admin = world.token(await world.alliance_admin())
    await api.query(SET, {"input": {"minContributors": 9}}, token=admin)
    await api.query(SUBMIT, {"rows": [row("2025-02")]}, token=writer)
    async with db.transaction() as session:
        await releases.publish(session)
        rules = {
            release.period: release.rules["min_contributors"]
            for release in await session.scalars(select(TrendRelease))
        }
    assert rules == {"2025-01": 5, "2025-02": 9}
