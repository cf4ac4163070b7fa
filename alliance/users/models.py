from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, Timestamps, UuidPrimaryKey
from sharing import Role


class UserStatus(enum.StrEnum):
    INVITED = "INVITED"  # may log in; becomes ACTIVE on first login
    ACTIVE = "ACTIVE"
    DEACTIVATED = "DEACTIVATED"


class User(UuidPrimaryKey, Timestamps, Base):
    """A person of one member, or of the alliance secretariat when `member_id` is None."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("external_issuer", "external_subject"),)

    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[UserStatus] = mapped_column(
        Enum(UserStatus, native_enum=False, length=16), default=UserStatus.INVITED
    )
    external_issuer: Mapped[str | None] = mapped_column(String(500))
    external_subject: Mapped[str | None] = mapped_column(String(255))
    deactivated_at: Mapped[dt.datetime | None]

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(role) for role in self.roles)
