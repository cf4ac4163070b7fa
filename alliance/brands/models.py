from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db import Base, Timestamps, UuidPrimaryKey

if TYPE_CHECKING:
    from alliance.members.models import Member


class Brand(UuidPrimaryKey, Timestamps, Base):
    """A brand of one member, with its trademarks and product categories."""

    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("member_id", "name"),)

    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # [{"office": "EUIPO", "registration_number": "018123456", "nice_classes": [18, 25]}]
    trademarks: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    product_categories: Mapped[list[str]] = mapped_column(default=list)

    member: Mapped[Member] = relationship(back_populates="brands", lazy="raise")
