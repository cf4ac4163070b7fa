"""Alliance settings: one row per named group of settings, its value a JSON document."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, utcnow


class AllianceSetting(Base):
    """A named group of alliance settings (e.g. "retention"); absent: the built-in defaults.

    One table for every alliance setting, so that the next one (disclosure thresholds, the
    aggregate lag) needs no migration of its own.
    """

    __tablename__ = "alliance_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[uuid.UUID | None]
