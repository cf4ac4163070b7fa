"""Expert profiles (shareable): one per user who opted in, and the facets they are found by."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, Timestamps, UuidPrimaryKey
from sharing.storage import Shareable, register_shareable


class Facet(enum.StrEnum):
    """What a profile is found by; each profile holds a set of codes of each."""

    TOPIC = "TOPIC"  # alliance.experts.vocabulary.ExpertTopic
    LANGUAGE = "LANGUAGE"  # ISO 639-1
    REGION = "REGION"  # a region code of the alliance


class ExpertProfile(UuidPrimaryKey, Timestamps, Shareable, Base):
    """A user's own entry in the expert directory, shared by audience like any record.

    The owner member is the user's member. Opting out deletes the row (its facets and
    audience rows cascade), so it leaves every view at once.
    """

    __tablename__ = "expert_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), unique=True)
    owner_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    bio: Mapped[str] = mapped_column(String(1000), default="")
    # The audience as the user asked for it (text form; NULL: the member policy's default):
    # a policy change re-applies from here (alliance/experts/audience.py).
    requested_audience: Mapped[str | None] = mapped_column(Text)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)


register_shareable(ExpertProfile)


class ExpertFacet(Base):
    """One topic, language or region of a profile: filters are an indexed lookup."""

    __tablename__ = "expert_profile_facets"
    __table_args__ = (Index("ix_expert_profile_facets_code", "facet", "code", "profile_id"),)

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("expert_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    facet: Mapped[Facet] = mapped_column(
        Enum(Facet, native_enum=False, length=16), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
