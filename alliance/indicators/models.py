"""Indicators (shareable), their brands, sightings and links."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db import Base, Timestamps, UuidPrimaryKey, utcnow
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.vocabulary import (
    EvidenceLevel,
    IndicatorStatus,
    LinkType,
    Purpose,
    SightingKind,
)
from sharing.audience import Tlp
from sharing.storage import Shareable, register_shareable

if TYPE_CHECKING:
    from alliance.brands.models import Brand


def _enum(cls: type[Any]) -> Enum:
    return Enum(cls, native_enum=False, length=32)


indicator_brands = Table(
    "indicator_brands",
    Base.metadata,
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
    Column("brand_id", ForeignKey("brands.id"), primary_key=True, index=True),
)


class Indicator(UuidPrimaryKey, Timestamps, Shareable, Base):
    """Something that identifies an infringer, owned by one member, shared by audience."""

    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("owner_member_id", "external_id"),
        Index("ix_indicators_kind_match_key", "kind", "match_key"),
        Index("ix_indicators_last_seen", "last_seen", "id"),
        # valuePrefix (a range: alliance/indicators/search.py) and the VALUE_ASC order.
        Index("ix_indicators_value", "value", "id"),
        # Re-application walks one owner's records by keyset (alliance/indicators/audience.py).
        Index("ix_indicators_owner_member_id_id", "owner_member_id", "id"),
        # The retention job walks expired records by keyset (alliance/retention/job.py).
        Index("ix_indicators_expires_at_id", "expires_at", "id"),
        CheckConstraint("confidence BETWEEN 0 AND 100", name="confidence_range"),
    )

    owner_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[IndicatorKind] = mapped_column(_enum(IndicatorKind))
    match_key: Mapped[str] = mapped_column(String(600))
    # Code point order on both engines (SQLite's default): prefix ranges and VALUE_ASC
    # pages do not depend on the database's locale.
    value: Mapped[str] = mapped_column(
        String(600).with_variant(String(600, collation="C"), "postgresql")
    )
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    platform: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[int] = mapped_column(Integer, default=50)
    evidence_level: Mapped[EvidenceLevel] = mapped_column(_enum(EvidenceLevel))
    jurisdiction: Mapped[str | None] = mapped_column(String(2))
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose))
    tlp: Mapped[Tlp] = mapped_column(_enum(Tlp))
    first_seen: Mapped[dt.datetime]
    last_seen: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    status: Mapped[IndicatorStatus] = mapped_column(
        _enum(IndicatorStatus), default=IndicatorStatus.ACTIVE
    )
    external_id: Mapped[str | None] = mapped_column(String(200))
    # The audience as the owner asked for it (text form; NULL: the policy's default) and
    # where its personal data comes from: re-application after a policy change starts here.
    requested_audience: Mapped[str | None] = mapped_column(Text)
    personal_data_region: Mapped[str | None] = mapped_column(String(16))
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    # Retention (docs/retention.md): when it was retracted, whether its owner holds it
    # against the purge (and why), and when its personal data was purged (a tombstone).
    retracted_at: Mapped[dt.datetime | None]
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    legal_hold_reason: Mapped[str | None] = mapped_column(String(500))
    legal_hold_at: Mapped[dt.datetime | None]
    purged_at: Mapped[dt.datetime | None]

    brands: Mapped[list[Brand]] = relationship(secondary=indicator_brands, lazy="raise")


register_shareable(Indicator, expires="expires_at")


class Sighting(UuidPrimaryKey, Base):
    """A member's corroboration of an indicator; visible wherever its indicator is."""

    __tablename__ = "sightings"
    __table_args__ = (Index("ix_sightings_indicator_at", "indicator_id", "at"),)

    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[SightingKind] = mapped_column(_enum(SightingKind))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(2000))
    # False (the default): other members see "a member", not which one.
    disclosed: Mapped[bool] = mapped_column(Boolean, default=False)

    indicator: Mapped[Indicator] = relationship(lazy="raise")


class Link(UuidPrimaryKey, Timestamps, Base):
    """A typed relation between two indicators; visible where both ends are listable."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "link_type", "member_id"),
        Index("ix_links_target_id", "target_id"),
    )

    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    target_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    link_type: Mapped[LinkType] = mapped_column(_enum(LinkType))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    note: Mapped[str | None] = mapped_column(String(2000))


class ImageSegment(Base):
    """One 16-bit segment of an IMAGE_PDQ indicator's hash, for near-duplicate lookup.

    `bucket` = position * 65536 + the segment's bits (positions 0-15, most significant
    first); `hash` is the whole 256-bit hash (32 bytes), repeated on each of the 16 rows so
    that the bucket index alone yields a candidate's exact distance (the index covers
    `bucket, indicator_id, hash`). Written with the indicator
    (alliance/indicators/images.py) and deleted with it; not shareable itself: it is an
    index of the indicators, read only by the lookup, which hands out nothing but the ids
    within the distance, and those through the viewer session.
    """

    __tablename__ = "indicator_image_segments"
    __table_args__ = (
        Index("ix_indicator_image_segments_bucket", "bucket", "indicator_id", "hash"),
    )

    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True
    )
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
