from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db import Base, utcnow

# SQLite only autoincrements an INTEGER PRIMARY KEY.
BigIntegerKey = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    """An append-only record of a write (and, later, of reads of indicator data)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_actor_member_at", "actor_member_id", "at"),)

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID]
    actor_member_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    target_member_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ReadEvent(Base):
    """Which principal received which records through which operation: one row per request
    and operation, the record ids packed in one list (read audit, DESIGN §2)."""

    __tablename__ = "read_events"
    __table_args__ = (Index("ix_read_events_actor_member_at", "actor_member_id", "at"),)

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID]
    actor_member_id: Mapped[uuid.UUID | None]
    operation: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(32))
    record_ids: Mapped[list[str]] = mapped_column(default=list)
