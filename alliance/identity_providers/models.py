from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, Timestamps, UuidPrimaryKey

SECRETARIAT = "secretariat"


class IdentityProvider(UuidPrimaryKey, Timestamps, Base):
    """A member's (or, with `member_id` None, the secretariat's) OpenID Connect provider.

    `owner` is the member id as text or `secretariat`: unique, so each has at most one.
    The client secret is stored encrypted and never read back through the API.
    """

    __tablename__ = "identity_providers"

    owner: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_encrypted: Mapped[str] = mapped_column(String(1000))
    email_domains: Mapped[list[str]] = mapped_column(default=list)
    auto_provision: Mapped[bool] = mapped_column(default=False)
