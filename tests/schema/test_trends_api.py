"""Trend reports and trends tables through the API: raw reports stay with their member,
answers come from frozen releases only, suppressed cells say why, the CSV is the table,
bad rows are typed errors naming the field, WITHDRAW leaves later releases."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from alliance.db import Database
from alliance.members.models import Member
from alliance.trends import releases
from alliance.trends.models import TrendRelease, TrendReleaseInput
from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

SUBMIT = """mutation($rows: [TrendReportRowInput!]!) { trendReportSubmit(rows: $rows) {
  errors { code field message } reports { month region unitsSeized } } }"""
REPORTS = """query { trendReports(periods: {from: "2025-01", to: "2025-12"}) {
  month region platform category unitsSeized arrests } }"""
TRENDS = """query($by: [TrendDimension!], $filter: TrendFilterInput) {
  trends(metric: UNITS_SEIZED, groupBy: $by, periods: {from: "2025-01", to: "2025-02"},
         filter: $filter) {
    rows { period region platform category value suppressed { reason } }
    totals { region value suppressed { reason } } } }"""
CSV = """query($by: [TrendDimension!]) {
  trendsCsv(metric: UNITS_SEIZED, groupBy: $by, periods: {from: "2025-01", to: "2025-02"}) }"""
OFFBOARD = """mutation($id: ID!) {
  memberOffboard(id: $id, dataDisposition: WITHDRAW) { errors { code } } }"""
EU_FILTER = {"regions": ["EU", "CN"], "platforms": ["AMAZON"], "categories": ["APPAREL"]}


def row(region: str = "EU", units: int = 100, **more: Any) -> dict[str, Any]:
    return {
        "month": "2025-01",
        "region": region,
        "platform": "AMAZON",
        "category": "APPAREL",
        "unitsSeized": units,
        **more,
    }


@dataclass
class Scene:
    members: list[Member]
    tokens: list[str]
    lonely_token: str


async def scene(api: Api, world: World) -> Scene:
    """Six EU members report similar figures; one CN member reports alone."""
    members, tokens = [], []
    for index in range(6):
        member = await world.member(region="EU")
        token = world.token(await world.user(member))
        done = await api.query(SUBMIT, {"rows": [row(units=100 + 10 * index)]}, token=token)
        assert done["trendReportSubmit"]["errors"] == []
        members.append(member)
        tokens.append(token)
    lonely = world.token(await world.user(await world.member(region="CN")))
    done = await api.query(SUBMIT, {"rows": [row(region="CN", units=42)]}, token=lonely)
    assert done["trendReportSubmit"]["errors"] == []
    return Scene(members, tokens, lonely)


async def publish(db: Database) -> int:
    async with db.transaction() as session:
        return len(await releases.publish(session))


def cells(data: dict[str, Any]) -> dict[tuple[Any, ...], tuple[Any, Any]]:
    return {
        (r["period"], r["region"]): (r["value"], (r["suppressed"] or {}).get("reason"))
        for r in data["trends"]["rows"]
    }


async def test_raw_reports_are_visible_to_their_member_only(api: Api, world: World) -> None:
    given = await scene(api, world)
    admin = world.token(await world.alliance_admin())

    own = await api.query(REPORTS, token=given.tokens[0])
    other = await api.query(REPORTS, token=given.tokens[1])
    secretariat = await api.query(REPORTS, token=admin)

    assert [r["unitsSeized"] for r in own["trendReports"]] == [100]
    assert [r["unitsSeized"] for r in other["trendReports"]] == [110]
    assert secretariat["trendReports"] == []


async def test_bad_rows_are_typed_errors_naming_the_field_and_nothing_is_written(
    api: Api, world: World
) -> None:
    token = world.token(await world.user(await world.member()))
    cases = [
        ([row(), row(region="CN", units=-1)], "rows[1].unitsSeized"),
        ([row(month="2999-01")], "rows[0].month"),
        ([row(month="2025-13")], "rows[0].month"),
        ([row(region="ATLANTIS")], "rows[0].region"),
        ([row(), row()], "rows[1]"),
        ([], "rows"),
    ]
    for rows, field in cases:
        done = await api.query(SUBMIT, {"rows": rows}, token=token)
        [error] = done["trendReportSubmit"]["errors"]
        assert (error["code"], error["field"]) == ("VALIDATION", field), rows
    assert (await api.query(REPORTS, token=token))["trendReports"] == []


async def test_trends_answer_from_releases_only_and_suppressed_cells_say_why(
    api: Api, world: World, db: Database
) -> None:
    given = await scene(api, world)
    reader = given.tokens[0]

    # before any release: nothing but the reason
    before = cells(await api.query(TRENDS, {"by": ["REGION"], "filter": EU_FILTER}, token=reader))
    assert before[("2025-01", "EU")] == (None, "PERIOD_NOT_RELEASED")

    # after the release: CN (one member) is suppressed, and so is one of EU (750) and the
    # total (792), else the total minus EU would give CN's 42
    assert await publish(db) == 1
    released = cells(await api.query(TRENDS, {"by": ["REGION"], "filter": EU_FILTER}, token=reader))
    line = {"platforms": ["AMAZON"], "categories": ["APPAREL"]}
    total = cells(await api.query(TRENDS, {"by": [], "filter": line}, token=reader))
    assert released[("2025-01", "CN")] == (None, "TOO_FEW_CONTRIBUTORS")
    assert released[("2025-02", "EU")] == (None, "PERIOD_NOT_RELEASED")
    assert sorted([released[("2025-01", "EU")], total[("2025-01", None)]], key=str) in (
        [(750, None), (None, "COMPLEMENTARY")],
        [(792, None), (None, "COMPLEMENTARY")],
    )

    # a correction changes nothing until the next release
    fixed = await api.query(SUBMIT, {"rows": [row(units=1000)]}, token=given.tokens[2])
    assert fixed["trendReportSubmit"]["errors"] == []
    again = cells(await api.query(TRENDS, {"by": ["REGION"], "filter": EU_FILTER}, token=reader))
    assert again == released

    # the next release does not reveal the corrector's change by differencing
    assert await publish(db) == 1
    corrected = cells(
        await api.query(TRENDS, {"by": ["REGION"], "filter": EU_FILTER}, token=reader)
    )
    value, reason = corrected[("2025-01", "EU")]
    assert value is None
    assert reason is not None
    assert await publish(db) == 0  # nothing new: no release


async def test_the_csv_is_the_graphql_table(api: Api, world: World, db: Database) -> None:
    given = await scene(api, world)
    await publish(db)
    table = await api.query(TRENDS, {"by": ["REGION"]}, token=given.tokens[0])
    text = (await api.query(CSV, {"by": ["REGION"]}, token=given.tokens[0]))["trendsCsv"]

    lines = list(csv.DictReader(io.StringIO(text)))
    rows = [line for line in lines if line["period"] != "TOTAL"]
    assert len(rows) == len(table["trends"]["rows"])
    for line, graphql in zip(rows, table["trends"]["rows"], strict=True):
        assert line["period"] == graphql["period"]
        assert line["region"] == graphql["region"]
        assert line["value"] == ("" if graphql["value"] is None else str(graphql["value"]))
        assert line["suppressed_reason"] == ((graphql["suppressed"] or {}).get("reason") or "")
    assert any(line["suppressed_reason"] == "TOO_FEW_CONTRIBUTORS" for line in rows)


async def test_withdraw_leaves_the_member_out_of_later_releases(
    api: Api, world: World, db: Database
) -> None:
    given = await scene(api, world)
    await publish(db)
    leaver = given.members[0]
    admin = world.token(await world.alliance_admin())
    done = await api.query(OFFBOARD, {"id": to_global_id("Member", leaver.id)}, token=admin)
    assert done["memberOffboard"]["errors"] == []

    assert await publish(db) == 1
    async with db.session() as session:
        newest = await session.scalar(
            select(TrendRelease).order_by(TrendRelease.sequence.desc()).limit(1)
        )
        assert newest is not None
        assert newest.sequence == 2
        contributors = set(
            await session.scalars(
                select(TrendReleaseInput.member_id).where(TrendReleaseInput.release_id == newest.id)
            )
        )
    assert leaver.id not in contributors
    assert len(contributors) == 6  # five EU members and the CN one
    answer = cells(
        await api.query(TRENDS, {"by": ["REGION"], "filter": EU_FILTER}, token=given.tokens[1])
    )
    # 650 would reveal the leaver's 100 by difference with the first release's 750
    assert answer[("2025-01", "EU")][0] is None


async def test_only_active_agreed_members_read_trends(api: Api, world: World) -> None:
    admin = world.token(await world.alliance_admin())
    errors = await api.errors(TRENDS, {"by": ["REGION"]}, token=admin)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    # A member that has not accepted the agreement reads no table, in no form (invariant 5).
    unagreed = await world.member(region="EU", agreed=False)
    token = world.token(await world.user(unagreed))
    for query in (TRENDS, CSV):
        response = await api.post(query, {"by": ["REGION"]}, token=token)
        assert response.json()["data"] is None
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


TOTALS = """query($filter: TrendFilterInput, $from: String!, $to: String!) {
  trends(metric: UNITS_SEIZED, periods: {from: $from, to: $to}, filter: $filter) {
    rows { period value suppressed { reason } } totals { value suppressed { reason } } } }"""


async def test_totals_and_filters_are_only_sums_of_published_cells(
    api: Api, world: World, db: Database
) -> None:
    # given six EU members in January, and one of them alone again in February
    tokens = []
    for index in range(6):
        token = world.token(await world.user(await world.member(region="EU")))
        done = await api.query(SUBMIT, {"rows": [row(units=100 + index)]}, token=token)
        assert done["trendReportSubmit"]["errors"] == []
        tokens.append(token)
    february = await api.query(SUBMIT, {"rows": [row(month="2025-02", units=7)]}, token=tokens[0])
    assert february["trendReportSubmit"]["errors"] == []
    await publish(db)
    reader = tokens[1]

    def ask(first: str, last: str, **filter: Any) -> dict[str, Any]:
        variables = {"from": first, "to": last, "filter": filter or None}
        return api.query(TOTALS, variables, token=reader)  # type: ignore[return-value]

    january = (await ask("2025-01", "2025-01"))["trends"]
    both = (await ask("2025-01", "2025-02"))["trends"]
    later = (await ask("2025-02", "2025-03"))["trends"]

    # then January is published, February (one member) is not
    assert january["rows"] == [{"period": "2025-01", "value": 615, "suppressed": None}]
    assert both["rows"][1]["suppressed"] == {"reason": "TOO_FEW_CONTRIBUTORS"}
    # and no total over overlapping ranges gives February by difference
    assert both["totals"] == [{"value": None, "suppressed": {"reason": "TOO_FEW_CONTRIBUTORS"}}]
    assert later["totals"][0]["value"] is None
    # nor does a filter that adds an empty or lonely cell to a published one
    mixed = (await ask("2025-02", "2025-02", regions=["EU", "CN"]))["trends"]
    assert mixed["rows"][0]["value"] is None
    lonely = (await ask("2025-02", "2025-02", regions=["EU"], platforms=["AMAZON"]))["trends"]
    assert lonely["rows"][0]["suppressed"] == {"reason": "TOO_FEW_CONTRIBUTORS"}
