"""Indicators' effective audiences: computed at write time, re-applied on policy change."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.db import Database
from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator
from alliance.policies.store import (
    alliance_regions,
    current_policy,
    mark_reapplied,
    policy_for_records,
    policy_to_reapply,
)
from sharing.audience import AllianceRegions, Audience, Tlp, parse_audience
from sharing.errors import SharingError
from sharing.policy import MemberPolicy, RecordType, effective_audience
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
    The policy stays current until the caller's transaction ends (`policy_for_records`).
    """
    policy, version = await policy_for_records(session, owner_id)
    regions = await alliance_regions(session)
    try:
        require_known_targets(regions, requested, personal_data_region)
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


def require_known_targets(
    regions: AllianceRegions, requested: Audience | None, personal_data_region: str | None
) -> None:
    """`InvalidSharingInput` naming the field when a write names a region or a member the
    alliance does not have (`audience`, `personalDataRegion`).

    What it reveals: whether a member id the writer already holds belongs to a member of
    any status. Member ids are random UUIDs, and the directory lists every active member
    to every caller anyway.
    """
    if requested is not None:
        regions.require_known(requested, "audience")
    if personal_data_region is not None:
        regions.require_region(personal_data_region, "personalDataRegion")


def _requested(row: Any) -> Audience | None:
    return None if row.requested_audience is None else parse_audience(row.requested_audience)


@dataclasses.dataclass(frozen=True, slots=True)
class _Policy:
    member_id: uuid.UUID
    policy: MemberPolicy
    version: int
    regions: AllianceRegions


async def _policy_of(session: AsyncSession, member_id: uuid.UUID) -> _Policy | None:
    current = await policy_to_reapply(session, member_id)
    if current is None:
        return None
    policy, version = current
    return _Policy(member_id, policy, version, await alliance_regions(session))


async def _reapply_batch(
    session: AsyncSession, applied: _Policy, *, after: uuid.UUID | None, size: int, stale_only: bool
) -> tuple[uuid.UUID, int] | None:
    """Re-apply the next `size` records of the member after id `after` (keyset on the
    (owner_member_id, id) index); returns the last id done and how many, or None when
    none were left."""
    table = cast(Table, Indicator.__table__)
    query = select(
        *(table.c[name] for name in ("id", "requested_audience", "tlp", "kind")),
        table.c.personal_data_region,
    ).where(table.c.owner_member_id == applied.member_id)
    if after is not None:
        query = query.where(table.c.id > after)
    if stale_only:
        query = query.where(table.c.policy_version != applied.version)
    rows = (await session.execute(query.order_by(table.c.id).limit(size))).all()
    if not rows:
        return None
    audiences = {
        row.id: effective_audience(
            _requested(row),
            owner_id=applied.member_id,
            tlp=Tlp(row.tlp),
            policy=applied.policy,
            record_type=RecordType.INDICATOR,
            kind=row.kind,
            regions=applied.regions,
            personal_data_region=row.personal_data_region,
            reapplying=True,
        )
        for row in rows
    }
    await write_audiences(session, Indicator, audiences)
    await session.execute(
        update(table).where(table.c.id.in_(list(audiences))).values(policy_version=applied.version)
    )
    last: uuid.UUID = rows[-1].id
    return last, len(rows)


async def reapply_policy(
    session: AsyncSession, *, member_id: uuid.UUID, batch_size: int = REAPPLY_BATCH
) -> int:
    """Recompute and store the effective audience of every record of `member_id` under its
    current policy, inside the caller's transaction; returns how many were re-applied.

    It reads the owner's own rows by owner id (a Core path: the owner sees all of them),
    in keyset batches with multi-row writes. For members with very many records, use
    `reapply_in_batches`, which commits each batch on its own.
    """
    applied = await _policy_of(session, member_id)
    done, last = 0, None
    if applied is None:
        return done
    while True:
        step = await _reapply_batch(session, applied, after=last, size=batch_size, stale_only=False)
        if step is None:
            return done
        last, count = step
        done += count


async def reapply_in_batches(
    database: Database,
    *,
    member_id: uuid.UUID,
    batch_size: int = 5000,
    max_batches: int | None = None,
) -> int:
    """Bring every record of `member_id` whose `policy_version` is not the current one up
    to date, one short transaction per batch; returns how many batches ran. With
    `max_batches`, stops after that many (the rest stays for a later run).

    Readers are never blocked for long: each batch rewrites at most `batch_size` records'
    grants and commits. A crash leaves every record either on its old or on its new
    audience, never half-written, and a rerun resumes with the stale records only. Each
    batch reads the current policy; a policy changed meanwhile starts the walk again. The
    transaction that finds nothing left marks the version re-applied (`mark_reapplied`).
    An offboarded member's records are never re-applied (`policy_to_reapply`): that
    would share again what a withdrawal took back.
    """
    batches, last, version = 0, None, None
    while max_batches is None or batches < max_batches:
        async with database.transaction() as session:
            applied = await _policy_of(session, member_id)
            if applied is None:
                # Offboarded: nothing is ever re-applied again; the queue entry is done.
                _, newest = await current_policy(session, member_id)
                await mark_reapplied(session, member_id, newest)
                return batches
            if applied.version != version:
                last, version = None, applied.version
            step = await _reapply_batch(
                session, applied, after=last, size=batch_size, stale_only=True
            )
            if step is None:
                await mark_reapplied(session, member_id, applied.version)
        if step is None:
            return batches
        last = step[0]
        batches += 1
    return batches
