"""Audit events of bulk writes: one per record, in multi-row statements."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit import service as audit_service
from sharing import Viewer


async def audit_bulk(
    session: AsyncSession,
    viewer: Viewer,
    action: str,
    target_type: str,
    targets: Iterable[tuple[uuid.UUID, str]],
) -> None:
    """One audit event per (record, kind) of a bulk write by `viewer`, in multi-row
    statements; details say the kind and that it was a bulk write."""
    pairs = list(targets)
    if not pairs:
        return
    details = {kind: {"kind": kind, "bulk": True} for _, kind in pairs}
    await audit_service.record_many(
        session,
        viewer=viewer,
        action=action,
        target_type=target_type,
        # One details object per kind: it is serialised once, not once per event.
        targets=[(target, details[kind]) for target, kind in pairs],
    )
