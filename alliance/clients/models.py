from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, Timestamps, UuidPrimaryKey


class Client(UuidPrimaryKey, Timestamps, Base):
    """A member system (or a secretariat system when `member_id` is None) using OAuth."""

    __tablename__ = "clients"

    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = mapped_column(default=list)
    redirect_uris: Mapped[list[str]] = mapped_column(default=list)
    revoked_at: Mapped[dt.datetime | None]
