"""The audit trail: every write adds one event in the same transaction as the write."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit.models import AuditEvent
from alliance.copy_rows import copy_rows
from alliance.db import utcnow
from sharing import Viewer

EVENT_COLUMNS = (
    "at", "actor_kind", "actor_id", "actor_member_id", "action", "target_type", "target_id",
    "target_member_id", "details",
)  # fmt: skip


def record(
    session: AsyncSession,
    *,
    viewer: Viewer,
    action: str,
    target_type: str,
    target_id: object,
    target_member_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for a write by `viewer`; it commits or rolls back with the write."""
    event = AuditEvent(
        actor_kind=viewer.kind.value,
        actor_id=viewer.principal_id,
        actor_member_id=viewer.member_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_member_id=target_member_id,
        details=details or {},
    )
    session.add(event)
    return event


async def record_many(
    session: AsyncSession,
    *,
    viewer: Viewer,
    action: str,
    target_type: str,
    targets: Sequence[tuple[object, dict[str, Any]]],
) -> None:
    """Add one audit event per (target id, details) of a bulk write by `viewer`, in
    multi-row statements (COPY on PostgreSQL); like `record`, they commit or roll back
    with the write."""
    now = utcnow()
    actor = (now, viewer.kind.value, viewer.principal_id, viewer.member_id, action, target_type)
    rows = [(*actor, str(target_id), viewer.member_id, details) for target_id, details in targets]
    await copy_rows(session, cast(Table, AuditEvent.__table__), EVENT_COLUMNS, rows)


async def events_for_target(
    session: AsyncSession, *, target_type: str, target_id: object
) -> Sequence[AuditEvent]:
    """Every event about one target, oldest first (for operators and tests)."""
    result = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
        .order_by(AuditEvent.id)
    )
    return result.all()
