from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, utcnow


class MemberPolicyVersion(Base):
    """One version of a member's sharing policy; its body is never changed, and versions
    are never deleted."""

    __tablename__ = "member_policies"

    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID]
    # When every record of the member carried this version: NULL on the newest version
    # means its re-application is still to finish (alliance/policies/reapply.py).
    reapplied_at: Mapped[dt.datetime | None]
