"""What an analyst sees of the demo trends (called from test_demo_views.py, which runs the
demo server once for every demo view)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance.trends.releases import last_released_month, shift_month

TRENDS = """query($from: String!, $to: String!) {
  trends(metric: UNITS_SEIZED, groupBy: [REGION, PLATFORM], periods: {from: $from, to: $to}) {
    rows { period region platform value suppressed { reason } } } }"""
CSV = """query($from: String!, $to: String!) {
  trendsCsv(metric: UNITS_SEIZED, groupBy: [REGION], periods: {from: $from, to: $to}) }"""


def assert_an_analyst_reads_published_and_suppressed_cells(data: Any) -> None:
    """`data(query, **variables)` runs a query as a demo analyst."""
    last = last_released_month(dt.datetime.now(dt.UTC), 3)
    months = {"from": shift_month(last, -11), "to": shift_month(last, 3)}
    rows: list[dict[str, Any]] = data(TRENDS, **months)["trends"]["rows"]
    released = [row for row in rows if row["period"] <= last]
    published = [row for row in released if row["value"] is not None]
    reasons = {row["suppressed"]["reason"] for row in released if row["value"] is None}
    assert published, "some cells of a year of demo reports are published"
    assert all(row["suppressed"] is None for row in published)
    assert {"TOO_FEW_CONTRIBUTORS", "DOMINANT_CONTRIBUTOR"} <= reasons
    later = {row["suppressed"]["reason"] for row in rows if row["period"] > last}
    assert later == {"PERIOD_NOT_RELEASED"}
    text = data(CSV, **months)["trendsCsv"]
    assert text.startswith("period,region,platform,category,value,suppressed_reason\n")
    assert ",TOO_FEW_CONTRIBUTORS\n" in text or ",DOMINANT_CONTRIBUTOR\n" in text
