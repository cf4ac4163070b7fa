"""Indicators' effective audiences: computed at write time, re-applied on policy change."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator
from alliance.policies.store import alliance_regions, current_policy
from sharing.audience import Audience, Tlp, parse_audience
from sharing.errors import SharingError
from sharing.policy import RecordType, effective_audience
from sharing.storage import write_audiences

# Re-application works through the owner's records in keyset batches of this size.
REAPPLY_BATCH = 500


async def effective_for(
    session: AsyncSession,
    *,
    owner_id: uuid.UUID,
    requested: Audience | None,
    tlp: Tlp,
    kind: IndicatorKind,
    personal_data_region: str | None,
) -> tuple[Audience, int]:
    """The audience to store for a write and the owner's policy version it applied.

    A refusal by the owner's policy or a TLP rule is an `InvalidInput` naming `audience`.
    """
    policy, version = await current_policy(session, owner_id)
    regions = await alliance_regions(session)
    try:
        audience = effective_audience(
            requested,
            owner_id=owner_id,
            tlp=tlp,
            policy=policy,
            record_type=RecordType.INDICATOR,
            kind=kind.value,
            regions=regions,
            personal_data_region=personal_data_region,
        )
    except SharingError as refused:
        raise InvalidInput(refused.message, field=refused.field or "audience") from None
    return audience, version


def _requested(row: Any) -> Audience | None:
    return None if row.requested_audience is None else parse_audience(row.requested_audience)


async def reapply_policy(
    session: AsyncSession, *, member_id: uuid.UUID, batch_size: int = REAPPLY_BATCH
) -> int:
    """Recompute and store the effective audience of every record of `member_id` under its
    current policy; returns how many records were re-applied.

    It reads the owner's own rows by owner id (a Core path: the owner sees all of them),
    in keyset batches with multi-row writes. This runs inside the caller's transaction;
    the seam for 1,000,000 records is here: run each batch in its own transaction, from a
    job, skipping rows whose `policy_version` is already current.
    """
    policy, version = await current_policy(session, member_id)
    regions = await alliance_regions(session)
    table = cast(Table, Indicator.__table__)
    columns = [table.c[name] for name in ("id", "requested_audience", "tlp", "kind")]
    last: uuid.UUID | None = None
    done = 0
    while True:
        query = select(*columns, table.c.personal_data_region).where(
            table.c.owner_member_id == member_id
        )
        if last is not None:
            query = query.where(table.c.id > last)
        rows = (await session.execute(query.order_by(table.c.id).limit(batch_size))).all()
        if not rows:
            return done
        audiences = {
            row.id: effective_audience(
                _requested(row),
                owner_id=member_id,
                tlp=Tlp(row.tlp),
                policy=policy,
                record_type=RecordType.INDICATOR,
                kind=row.kind,
                regions=regions,
                personal_data_region=row.personal_data_region,
                reapplying=True,
            )
            for row in rows
        }
        await write_audiences(session, Indicator, audiences)
        ids = list(audiences)
        await session.execute(
            update(table).where(table.c.id.in_(ids)).values(policy_version=version)
        )
        done += len(rows)
        last = rows[-1].id
