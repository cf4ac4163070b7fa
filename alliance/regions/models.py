from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base


class Region(Base):
    """A home region of members (`EU`, `AMER`, `CN`, `APAC` seeded; admins may add more)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
