"""A contact request from one member to the owner of an indicator."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, Enum, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, UuidPrimaryKey, utcnow
from alliance.indicators.kinds import IndicatorKind


class ContactRequestStatus(enum.StrEnum):
    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class ContactRequest(UuidPrimaryKey, Base):
    """Sent by a member about one indicator; only the owner's member sees who sent it.

    `open` is True while the request waits for an answer and NULL after: the unique
    constraint allows one open request per (indicator, sender member), any number of
    answered ones (NULLs never collide).
    """

    __tablename__ = "contact_requests"
    __table_args__ = (
        UniqueConstraint("indicator_id", "sender_member_id", "open"),
        Index("ix_contact_requests_owner_created", "owner_member_id", "created_at"),
        Index("ix_contact_requests_sender_created", "sender_member_id", "created_at"),
    )

    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    owner_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    sender_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    sender_principal_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    # The value the sender reached the record by (it knew it already): its list of sent
    # requests never needs to read the record, which it may not be allowed to list.
    kind: Mapped[IndicatorKind] = mapped_column(Enum(IndicatorKind, native_enum=False, length=32))
    match_key: Mapped[str] = mapped_column(String(600))
    message: Mapped[str] = mapped_column(String(2000))
    status: Mapped[ContactRequestStatus] = mapped_column(
        Enum(ContactRequestStatus, native_enum=False, length=16),
        default=ContactRequestStatus.OPEN,
    )
    open: Mapped[bool | None] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]
    answer: Mapped[str | None] = mapped_column(String(2000))
    # Revealed to the sender only on acceptance: the owner chose to make itself known.
    contact_email: Mapped[str | None] = mapped_column(String(320))
