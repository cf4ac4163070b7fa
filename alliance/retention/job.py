"""The retention job (`alliance retention run`): marks expired records EXPIRED and purges
the personal data of records that ended more than the retention period ago.

Each batch is its own short transaction over a keyset page, so readers and writers are
never held up, a crash leaves every record either untouched or fully processed, and a
rerun picks up where the last one stopped (the job is idempotent). Reads never wait for
the job: the read predicate already hides records whose expiry has passed.

A purge keeps a tombstone: id, owner, kind, status, dates, audience and legal-hold
fields stay, so the change feed can send REMOVE(id, DELETED); the value, match key,
normalised extras, the owner's external id, and the notes of the record's sightings and
links are removed. A record under legal hold is never purged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Update,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit import service as audit_service
from alliance.contact_requests.models import ContactRequest
from alliance.db import Database, utcnow
from alliance.indicators.models import ImageSegment, Indicator, Link, Sighting
from alliance.indicators.vocabulary import IndicatorStatus
from alliance.retention import settings as retention_settings
from sharing import SYSTEM_VIEWER

TOMBSTONE = "(purged)"
BATCH_SIZE = 500


@dataclasses.dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one run did: records marked EXPIRED, records purged, and records that are
    due for purge but held."""

    expired: int
    purged: int
    held: int


def _ended_before(cutoff: dt.datetime) -> ColumnElement[bool]:
    retracted = and_(
        Indicator.status == IndicatorStatus.RETRACTED, Indicator.retracted_at <= cutoff
    )
    return and_(Indicator.purged_at.is_(None), or_(retracted, Indicator.expires_at <= cutoff))


async def _changed(session: AsyncSession, statement: Update) -> int:
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)


def _audit(session: AsyncSession, action: str, ids: list[uuid.UUID]) -> None:
    audit_service.record(
        session,
        viewer=SYSTEM_VIEWER,
        action=action,
        target_type="Indicator",
        target_id=ids[0],
        details={"count": len(ids), "ids": [str(i) for i in ids]},
    )


async def _expire_batch(
    session: AsyncSession, now: dt.datetime, after: tuple[Any, uuid.UUID] | None, size: int
) -> tuple[tuple[Any, uuid.UUID], int] | None:
    query = select(Indicator.expires_at, Indicator.id).where(
        Indicator.status == IndicatorStatus.ACTIVE, Indicator.expires_at <= now
    )
    if after is not None:
        query = query.where(tuple_(Indicator.expires_at, Indicator.id) > tuple_(*after))
    rows = (
        await session.execute(query.order_by(Indicator.expires_at, Indicator.id).limit(size))
    ).all()
    if not rows:
        return None
    ids = [row.id for row in rows]
    changed = await _changed(
        session,
        update(Indicator)
        .where(Indicator.id.in_(ids), Indicator.status == IndicatorStatus.ACTIVE)
        .values(status=IndicatorStatus.EXPIRED, updated_at=now),
    )
    _audit(session, "indicator.expire", ids)
    return (rows[-1].expires_at, rows[-1].id), changed


async def _purge_batch(
    session: AsyncSession,
    now: dt.datetime,
    cutoff: dt.datetime,
    after: uuid.UUID | None,
    size: int,
) -> tuple[uuid.UUID, int] | None:
    query = select(Indicator.id).where(_ended_before(cutoff), Indicator.legal_hold.is_(False))
    if after is not None:
        query = query.where(Indicator.id > after)
    ids = list((await session.scalars(query.order_by(Indicator.id).limit(size))).all())
    if not ids:
        return None
    lapsed = case(
        (Indicator.status == IndicatorStatus.ACTIVE, IndicatorStatus.EXPIRED.value),
        else_=Indicator.status,
    )
    changed = await _changed(
        session,
        update(Indicator)
        # Re-checked here: a hold set, or a purge done, since the page was read wins.
        .where(
            Indicator.id.in_(ids),
            Indicator.legal_hold.is_(False),
            Indicator.purged_at.is_(None),
        )
        .values(
            value=TOMBSTONE,
            match_key=TOMBSTONE,
            extra={},
            external_id=None,
            status=lapsed,
            purged_at=now,
            updated_at=now,
        ),
    )
    await _changed(
        session, update(Sighting).where(Sighting.indicator_id.in_(ids)).values(note=None)
    )
    await _changed(
        session,
        update(Link).where(or_(Link.source_id.in_(ids), Link.target_id.in_(ids))).values(note=None),
    )
    # A purged image hash no longer takes part in near-duplicate lookups, and contact
    # requests about a purged record lose their copy of its value.
    purged = select(Indicator.id).where(Indicator.id.in_(ids), Indicator.purged_at == now)
    await session.execute(delete(ImageSegment).where(ImageSegment.indicator_id.in_(purged)))
    await session.execute(
        update(ContactRequest)
        .where(ContactRequest.indicator_id.in_(purged))
        .values(match_key=TOMBSTONE)
    )
    _audit(session, "indicator.purge", ids)
    return ids[-1], changed


async def expire(database: Database, *, now: dt.datetime, batch_size: int = BATCH_SIZE) -> int:
    """Mark every ACTIVE record whose expiry is not after `now` EXPIRED; how many."""
    done = 0
    after: tuple[Any, uuid.UUID] | None = None
    while True:
        async with database.transaction() as session:
            batch = await _expire_batch(session, now, after, batch_size)
        if batch is None:
            return done
        after, changed = batch
        done += changed


async def purge(database: Database, *, now: dt.datetime, batch_size: int = BATCH_SIZE) -> int:
    """Purge the personal data of records that ended before the retention period; how many."""
    async with database.session() as session:
        settings = await retention_settings.current(session)
    cutoff = settings.purge_cutoff(now)
    done = 0
    after: uuid.UUID | None = None
    while True:
        async with database.transaction() as session:
            batch = await _purge_batch(session, now, cutoff, after, batch_size)
        if batch is None:
            return done
        after, changed = batch
        done += changed


async def run(
    database: Database, *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> RetentionReport:
    """One retention run at `now` (default: the clock): expire, then purge."""
    now = now or utcnow()
    expired = await expire(database, now=now, batch_size=batch_size)
    purged = await purge(database, now=now, batch_size=batch_size)
    async with database.session() as session:
        settings = await retention_settings.current(session)
        held = await session.scalar(
            select(func.count())
            .select_from(Indicator)
            .where(_ended_before(settings.purge_cutoff(now)), Indicator.legal_hold.is_(True))
        )
    return RetentionReport(expired=expired, purged=purged, held=held or 0)
