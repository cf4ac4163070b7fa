from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db import Base, Timestamps, UuidPrimaryKey
from sharing import MemberStatus

if TYPE_CHECKING:
    from alliance.brands.models import Brand
    from alliance.regions.models import Region


class DataDisposition(enum.StrEnum):
    """What happens to an offboarded member's records (DESIGN §2)."""

    RETAIN = "RETAIN"  # records stay, attributed to "former member"
    WITHDRAW = "WITHDRAW"  # records leave every other member's view, with tombstones


class Member(UuidPrimaryKey, Timestamps, Base):
    """A rights holder of the alliance."""

    __tablename__ = "members"

    legal_name: Mapped[str] = mapped_column(String(200), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    status: Mapped[MemberStatus] = mapped_column(
        Enum(MemberStatus, native_enum=False, length=16), default=MemberStatus.INVITED
    )
    accepted_agreement_version: Mapped[int | None] = mapped_column(ForeignKey("agreements.version"))
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    data_disposition: Mapped[DataDisposition | None] = mapped_column(
        Enum(DataDisposition, native_enum=False, length=16)
    )
    status_changed_at: Mapped[dt.datetime | None]

    region: Mapped[Region] = relationship(lazy="joined", innerjoin=True)
    brands: Mapped[list[Brand]] = relationship(
        back_populates="member", order_by="Brand.name", lazy="raise"
    )
