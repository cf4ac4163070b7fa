"""Inputs of the trends fields."""

from __future__ import annotations

import strawberry

from alliance.trends.reads import TrendQuery
from alliance.trends.service import ReportRow
from alliance.trends.vocabulary import Dimension, Metric, ProductCategory
from schema.enums import Platform


@strawberry.input(description="Your member's figures for one month, region, platform, category.")
class TrendReportRowInput:
    month: str = strawberry.field(description="YYYY-MM, not in the future.")
    region: str = strawberry.field(description="A region code.")
    platform: Platform
    category: ProductCategory
    listings_removed: int = strawberry.field(default=0, description="Listings taken down.")
    seller_accounts_closed: int = strawberry.field(default=0, description="Accounts closed.")
    test_buys: int = strawberry.field(default=0, description="Test purchases made.")
    seizures: int = strawberry.field(default=0, description="Seizure operations.")
    units_seized: int = strawberry.field(default=0, description="Counterfeit units seized.")
    facilities_closed: int = strawberry.field(default=0, description="Sites closed.")
    arrests: int = strawberry.field(default=0, description="Arrests reported.")

    def to_domain(self) -> ReportRow:
        return ReportRow(
            month=self.month,
            region=self.region,
            platform=self.platform.value,
            category=self.category.value,
            figures={metric.value: getattr(self, metric.value) for metric in Metric},
        )


@strawberry.input(description="A range of months, both ends included (at most 36).")
class PeriodRangeInput:
    from_: str = strawberry.field(name="from", description="YYYY-MM.")
    to: str = strawberry.field(description="YYYY-MM.")


@strawberry.input(description="Which cells of the releases to read; no filter selects a member.")
class TrendFilterInput:
    regions: list[str] = strawberry.field(default_factory=list, description="Region codes.")
    platforms: list[Platform] = strawberry.field(default_factory=list, description="Platforms.")
    categories: list[ProductCategory] = strawberry.field(
        default_factory=list, description="Product categories."
    )


def trend_query(
    metric: Metric,
    group_by: list[Dimension],
    periods: PeriodRangeInput,
    filter: TrendFilterInput | None,
) -> TrendQuery:
    chosen = filter or TrendFilterInput()
    return TrendQuery(
        metric=metric,
        group_by=group_by,
        from_month=periods.from_,
        to_month=periods.to,
        regions=chosen.regions,
        platforms=[platform.value for platform in chosen.platforms],
        categories=[category.value for category in chosen.categories],
    )
