"""What a trend report may hold: seven counts of enforcement outcomes, nothing else.

Competition law (DESIGN §2): no price, cost, capacity, sales volume, customer, strategy or
forecast. A closed list of product categories (brands' own categories are free text) keeps
the cells of the aggregates comparable between members.
"""

from __future__ import annotations

import enum


class Metric(enum.StrEnum):
    """A count a member reports per month, region, platform and product category."""

    LISTINGS_REMOVED = "listings_removed"
    SELLER_ACCOUNTS_CLOSED = "seller_accounts_closed"
    TEST_BUYS = "test_buys"
    SEIZURES = "seizures"
    UNITS_SEIZED = "units_seized"
    FACILITIES_CLOSED = "facilities_closed"
    ARRESTS = "arrests"


class ProductCategory(enum.StrEnum):
    """The product categories of trend reports."""

    APPAREL = "APPAREL"
    FOOTWEAR = "FOOTWEAR"
    LEATHER_GOODS = "LEATHER_GOODS"
    WATCHES_JEWELRY = "WATCHES_JEWELRY"
    COSMETICS = "COSMETICS"
    ELECTRONICS = "ELECTRONICS"
    PHARMACEUTICALS = "PHARMACEUTICALS"
    TOYS = "TOYS"
    AUTO_PARTS = "AUTO_PARTS"
    FOOD_BEVERAGE = "FOOD_BEVERAGE"


class Dimension(enum.StrEnum):
    """What a trends table may be grouped by."""

    REGION = "REGION"
    PLATFORM = "PLATFORM"
    CATEGORY = "CATEGORY"


class Source(enum.StrEnum):
    """Where the figures of a release come from."""

    TREND_REPORTS = "TREND_REPORTS"
    INDICATORS = "INDICATORS"


class IndicatorDimension(enum.StrEnum):
    """What an indicator trends table may be grouped by."""

    OWNER_REGION = "OWNER_REGION"
    PLATFORM = "PLATFORM"
    KIND = "KIND"


# The largest figure one row may carry: far above any real month, far below overflow.
MAX_FIGURE = 10_000_000
