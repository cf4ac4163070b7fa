"""A contact request from one member to the owner of an indicator, or to an expert."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, UuidPrimaryKey, utcnow
from alliance.indicators.kinds import IndicatorKind


class ContactRequestStatus(enum.StrEnum):
    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class ContactTarget(enum.StrEnum):
    """What a request is about: one mechanism, two kinds of target."""

    INDICATOR = "INDICATOR"  # the owner member of an indicator answers
    EXPERT = "EXPERT"  # the person of an expert profile answers


class ContactRequest(UuidPrimaryKey, Base):
    """Sent by a member about one indicator or to one expert; only the recipient sees who
    sent it.

    `open` is True while the request waits for an answer and NULL after: the unique
    constraints allow one open request per (target, sender member), any number of
    answered ones (NULLs never collide). An expert request keeps its recipient user
    when the profile is removed (`expert_profile_id` becomes NULL): the person may still
    answer what reached them before they opted out.
    """

    __tablename__ = "contact_requests"
    __table_args__ = (
        UniqueConstraint("indicator_id", "sender_member_id", "open"),
        UniqueConstraint("expert_profile_id", "sender_member_id", "open"),
        Index("ix_contact_requests_owner_created", "owner_member_id", "created_at"),
        Index("ix_contact_requests_sender_created", "sender_member_id", "created_at"),
        Index("ix_contact_requests_recipient_created", "recipient_user_id", "created_at"),
        CheckConstraint(
            "(target = 'INDICATOR' AND indicator_id IS NOT NULL AND kind IS NOT NULL"
            " AND match_key IS NOT NULL AND expert_profile_id IS NULL"
            " AND recipient_user_id IS NULL)"
            " OR (target = 'EXPERT' AND indicator_id IS NULL AND kind IS NULL"
            " AND match_key IS NULL AND recipient_user_id IS NOT NULL)",
            name="one_target",
        ),
    )

    target: Mapped[ContactTarget] = mapped_column(
        Enum(ContactTarget, native_enum=False, length=16), default=ContactTarget.INDICATOR
    )
    indicator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE")
    )
    expert_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("expert_profiles.id", ondelete="SET NULL")
    )
    # The person an expert request goes to (NULL for an indicator: its member answers).
    recipient_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    owner_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    sender_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    sender_principal_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    # The value the sender reached the record by (it knew it already): its list of sent
    # requests never needs to read the record, which it may not be allowed to list.
    kind: Mapped[IndicatorKind | None] = mapped_column(
        Enum(IndicatorKind, native_enum=False, length=32)
    )
    match_key: Mapped[str | None] = mapped_column(String(600))
    message: Mapped[str] = mapped_column(String(2000))
    status: Mapped[ContactRequestStatus] = mapped_column(
        Enum(ContactRequestStatus, native_enum=False, length=16),
        default=ContactRequestStatus.OPEN,
    )
    open: Mapped[bool | None] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]
    answer: Mapped[str | None] = mapped_column(String(2000))
    # Revealed to the sender only on acceptance: the recipient chose to make itself known.
    contact_email: Mapped[str | None] = mapped_column(String(320))
