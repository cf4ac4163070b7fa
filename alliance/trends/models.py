"""Trend reports, every value ever submitted, and the frozen releases built from them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, utcnow
from alliance.trends.vocabulary import Metric

METRIC_COLUMNS = tuple(metric.value for metric in Metric)


class _Figures:
    listings_removed: Mapped[int] = mapped_column(Integer, default=0)
    seller_accounts_closed: Mapped[int] = mapped_column(Integer, default=0)
    test_buys: Mapped[int] = mapped_column(Integer, default=0)
    seizures: Mapped[int] = mapped_column(Integer, default=0)
    units_seized: Mapped[int] = mapped_column(Integer, default=0)
    facilities_closed: Mapped[int] = mapped_column(Integer, default=0)
    arrests: Mapped[int] = mapped_column(Integer, default=0)

    def figures(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in METRIC_COLUMNS}


class TrendReport(_Figures, Base):
    """A member's current figures for one month, region, platform and product category.
    Visible to its member only; others see releases."""

    __tablename__ = "trend_reports"

    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True, index=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[uuid.UUID]


class TrendReportVersion(_Figures, Base):
    """Every value ever submitted for a report key, so that any release can be reproduced."""

    __tablename__ = "trend_report_versions"
    __table_args__ = (Index("ix_trend_report_versions_key", "member_id", "month"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    month: Mapped[str] = mapped_column(String(7))
    region: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[uuid.UUID]


class TrendRelease(Base):
    """A frozen release of one period: never modified; a correction makes the next one."""

    __tablename__ = "trend_releases"
    __table_args__ = (UniqueConstraint("source", "period", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    source: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TrendReleaseCell(Base):
    """One cell of a release: a value, or no value and the reason. Public to analysts."""

    __tablename__ = "trend_release_cells"

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("trend_releases.id"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    region: Mapped[str] = mapped_column(String(16), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(32))


class TrendReleaseInput(Base):
    """What one member contributed to a release (never served): the audit of a later
    release of the same period needs the exact table an earlier one was built from."""

    __tablename__ = "trend_release_inputs"

    release_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("trend_releases.id"), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(16), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
