"""Members submit and correct their trend reports, and read back their own (only their own)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.audit import service as audit_service
from alliance.db import utcnow
from alliance.errors import Forbidden, InvalidInput
from alliance.indicators.kinds import Platform
from alliance.regions.models import Region
from alliance.trends.models import METRIC_COLUMNS, TrendReport, TrendReportVersion
from alliance.trends.vocabulary import MAX_FIGURE, ProductCategory
from sharing import MemberStatus, Scope, Viewer

MAX_ROWS = 1000
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

Key = tuple[str, str, str, str]  # month, region, platform, category


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ReportRow:
    """One submitted row: a key and the seven figures (missing ones are 0)."""

    month: str
    region: str
    platform: str
    category: str
    figures: Mapping[str, int]

    @property
    def key(self) -> Key:
        return (self.month, self.region, self.platform, self.category)


def month_of(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def require_month(value: str, *, field: str) -> str:
    """`value` if it is a month `YYYY-MM` from 2000 on; `InvalidInput` naming `field`."""
    match = _MONTH.match(value)
    if match is None or int(match.group(1)) < 2000:
        raise InvalidInput("A month is written YYYY-MM, from 2000-01.", field=field)
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _check_row(row: ReportRow, at: str, *, regions: set[str], latest: str) -> None:
    if require_month(row.month, field=f"{at}.month") > latest:
        raise InvalidInput("A report is for a month that has begun.", field=f"{at}.month")
    if row.region not in regions:
        raise InvalidInput("Unknown region.", field=f"{at}.region")
    if row.platform not in Platform._value2member_map_:
        raise InvalidInput("Unknown platform.", field=f"{at}.platform")
    if row.category not in ProductCategory._value2member_map_:
        raise InvalidInput("Unknown product category.", field=f"{at}.category")
    for name, value in row.figures.items():
        if name not in METRIC_COLUMNS:
            raise InvalidInput("Not a trend metric.", field=f"{at}.{_camel(name)}")
        if not 0 <= value <= MAX_FIGURE:
            raise InvalidInput(
                f"A figure is a whole number from 0 to {MAX_FIGURE}.", field=f"{at}.{_camel(name)}"
            )


async def _validate(session: AsyncSession, rows: Sequence[ReportRow], now: dt.datetime) -> None:
    if not 1 <= len(rows) <= MAX_ROWS:
        raise InvalidInput(f"Submit 1 to {MAX_ROWS} rows at a time.", field="rows")
    regions = set((await session.scalars(select(Region.code))).all())
    seen: set[Key] = set()
    for index, row in enumerate(rows):
        _check_row(row, f"rows[{index}]", regions=regions, latest=month_of(now))
        if row.key in seen:
            raise InvalidInput("This key is already in the submission.", field=f"rows[{index}]")
        seen.add(row.key)


def _require_reporter(viewer: Viewer, scope: Scope) -> None:
    require_scope(viewer, scope)
    if viewer.member_id is None or viewer.member_status is not MemberStatus.ACTIVE:
        raise Forbidden("Only an active member reports trend figures.")


async def submit(
    session: AsyncSession,
    *,
    viewer: Viewer,
    rows: Sequence[ReportRow],
    now: dt.datetime | None = None,
) -> list[TrendReport]:
    """Create or correct the viewer's member's reports, all rows or none (`InvalidInput`
    names `rows[i].field`). Every submitted value is kept; releases already frozen are
    untouched, the next release of a corrected month audits the change."""
    _require_reporter(viewer, Scope.TRENDS_WRITE)
    assert viewer.member_id is not None  # noqa: S101 - checked just above, for mypy
    await _validate(session, rows, now or utcnow())
    written = await write_rows(
        session, member_id=viewer.member_id, principal_id=viewer.principal_id, rows=rows
    )
    audit_service.record(
        session,
        viewer=viewer,
        action="trend_reports.submit",
        target_type="TrendReport",
        target_id=viewer.member_id,
        target_member_id=viewer.member_id,
        details={"rows": len(rows), "months": sorted({row.month for row in rows})},
    )
    return written


async def write_rows(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    principal_id: uuid.UUID,
    rows: Sequence[ReportRow],
) -> list[TrendReport]:
    """Upsert already validated rows of one member and keep each value in the history
    (for `submit` and the demo data; checks nothing)."""
    existing = {
        (r.month, r.region, r.platform, r.category): r
        for r in await session.scalars(
            select(TrendReport).where(
                TrendReport.member_id == member_id,
                TrendReport.month.in_({row.month for row in rows}),
            )
        )
    }
    written = []
    for row in rows:
        figures = {name: int(row.figures.get(name, 0)) for name in METRIC_COLUMNS}
        report = existing.get(row.key)
        if report is None:
            report = TrendReport(
                member_id=member_id,
                month=row.month,
                region=row.region,
                platform=row.platform,
                category=row.category,
            )
            session.add(report)
        for name, value in figures.items():
            setattr(report, name, value)
        report.updated_by = principal_id
        session.add(
            TrendReportVersion(
                member_id=member_id,
                month=row.month,
                region=row.region,
                platform=row.platform,
                category=row.category,
                submitted_by=principal_id,
                **figures,
            )
        )
        written.append(report)
    await session.flush()
    return written


async def own_reports(
    session: AsyncSession, *, viewer: Viewer, from_month: str, to_month: str
) -> list[TrendReport]:
    """The viewer's member's own reports from `from_month` to `to_month`; nobody else's,
    not even for alliance admins (they have no member: an empty list)."""
    require_scope(viewer, Scope.TRENDS_READ)
    require_month(from_month, field="from")
    require_month(to_month, field="to")
    if viewer.member_id is None:
        return []
    query = (
        select(TrendReport)
        .where(
            TrendReport.member_id == viewer.member_id,
            TrendReport.month >= from_month,
            TrendReport.month <= to_month,
        )
        .order_by(TrendReport.month, TrendReport.region, TrendReport.platform, TrendReport.category)
    )
    return list((await session.scalars(query)).all())
