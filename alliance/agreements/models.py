from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, UuidPrimaryKey, utcnow


class Agreement(Base):
    """One version of the data-sharing agreement; the highest version is the current one."""

    __tablename__ = "agreements"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by: Mapped[uuid.UUID]


class AgreementAcceptance(UuidPrimaryKey, Base):
    """A member's acceptance of one agreement version, by one of its admins."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (UniqueConstraint("member_id", "agreement_version"),)

    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    agreement_version: Mapped[int] = mapped_column(ForeignKey("agreements.version"))
    accepted_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
