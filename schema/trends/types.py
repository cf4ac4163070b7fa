"""Trend reports (the member's own) and trends tables (from releases) as GraphQL types."""

from __future__ import annotations

import strawberry

from alliance.trends.cube_reads import TrendRow
from alliance.trends.models import TrendReport
from alliance.trends.reads import TrendTable
from alliance.trends.settings import DisclosureSettings
from alliance.trends.vocabulary import Dimension, Metric, ProductCategory
from schema.enums import Platform
from sharing.disclosure import Reason

strawberry.enum(Metric, name="TrendMetric", description="A count of enforcement outcomes.")
strawberry.enum(Dimension, name="TrendDimension", description="What a trends table groups by.")
strawberry.enum(ProductCategory, description="The product categories of trend reports.")
strawberry.enum(Reason, name="SuppressionReason", description="Why a cell carries no value.")


@strawberry.type(description="One of your member's trend reports: its figures for one key.")
class TrendReportType:
    month: str = strawberry.field(description="YYYY-MM.")
    region: str = strawberry.field(description="A region code.")
    platform: Platform
    category: ProductCategory
    listings_removed: int = strawberry.field(description="Listings taken down.")
    seller_accounts_closed: int = strawberry.field(description="Seller accounts closed.")
    test_buys: int = strawberry.field(description="Test purchases made.")
    seizures: int = strawberry.field(description="Seizure operations.")
    units_seized: int = strawberry.field(description="Counterfeit units seized.")
    facilities_closed: int = strawberry.field(description="Manufacturing or storage sites closed.")
    arrests: int = strawberry.field(description="Arrests reported.")

    @classmethod
    def from_domain(cls, report: TrendReport) -> TrendReportType:
        return cls(
            month=report.month,
            region=report.region,
            platform=Platform(report.platform),
            category=ProductCategory(report.category),
            **report.figures(),
        )


@strawberry.type(description="Why a cell is suppressed.")
class Suppression:
    reason: Reason = strawberry.field(description="The rule that hides it.")


@strawberry.type(description="One row of a trends table: a month (null for a total) and a group.")
class TrendRowType:
    period: str | None = strawberry.field(description="YYYY-MM; null on a total over the months.")
    region: str | None = strawberry.field(description="The group's region, when grouped by it.")
    platform: Platform | None = strawberry.field(description="The group's platform, if grouped.")
    category: ProductCategory | None = strawberry.field(
        description="The group's category, when grouped by it."
    )
    value: int | None = strawberry.field(description="The published figure; null if suppressed.")
    suppressed: Suppression | None = strawberry.field(description="Why no value, if none.")

    @classmethod
    def from_domain(cls, row: TrendRow) -> TrendRowType:
        return cls(
            period=row.period,
            region=row.first,
            platform=None if row.second is None else Platform(row.second),
            category=None if row.third is None else ProductCategory(row.third),
            value=row.value,
            suppressed=None if row.reason is None else Suppression(reason=row.reason),
        )


@strawberry.type(description="Aggregates under disclosure control, read from frozen releases.")
class TrendTableType:
    metric: Metric = strawberry.field(description="The metric of every cell.")
    group_by: list[Dimension] = strawberry.field(description="The dimensions of the groups.")
    rows: list[TrendRowType] = strawberry.field(description="One row per month and group.")
    totals: list[TrendRowType] = strawberry.field(
        description="Per group, the sum over the months: suppressed when any month is."
    )

    @classmethod
    def from_domain(cls, table: TrendTable) -> TrendTableType:
        return cls(
            metric=table.metric,
            group_by=list(table.group_by),
            rows=[TrendRowType.from_domain(row) for row in table.rows],
            totals=[TrendRowType.from_domain(row) for row in table.totals],
        )


@strawberry.type(description="The rules of releases built from now on.")
class DisclosureSettingsType:
    min_contributors: int = strawberry.field(description="Members a cell needs (at least 5).")
    dominance: float = strawberry.field(description="The largest share of one member (<= 0.25).")
    protection: float = strawberry.field(
        description="How uncertain a hidden figure stays, as a share of it (>= 0.2)."
    )
    report_lag_months: int = strawberry.field(
        description="Months after a month ends before it is released (at least 3)."
    )
    indicator_lag_weeks: int = strawberry.field(
        description="Weeks after a week ends before its indicator trends are released (>= 2)."
    )

    @classmethod
    def from_domain(cls, settings: DisclosureSettings) -> DisclosureSettingsType:
        return cls(**settings.to_json())
