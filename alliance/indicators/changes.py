"""The change feed: what changed in a viewer's view of indicators since its cursor.

It reads the change log the database writes (alliance/indicators/change_log.py) by
keyset from the cursor, takes up to `first` rows, collapses them per record, and for
each record decides from the database as it is now (DESIGN §4, docs/api.md):

- visible to the viewer now (`reads.by_ids`, through the viewer session) → UPSERT, the
  record as the viewer may see it now;
- else, if some logged state of it was visible to the viewer
  (`sharing.predicate.logged_visible_to` and the domain rule of `reads.shown`) → REMOVE,
  with the reason its latest state gives;
- else nothing: a viewer never learns the id of a record it never could see.

Expiry needs no write: each read also looks at the records whose expiry passed since
the cursor's watermark. A viewer whose situation changed as a whole gets RESYNC.
On PostgreSQL only rows of transactions older than the reader's snapshot xmin are read,
in (xid, seq) order, so a transaction that commits late is never skipped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    TextClause,
    and_,
    bindparam,
    false,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit.reads import ReadLog
from alliance.db import utcnow
from alliance.errors import InvalidInput
from alliance.indicators import reads
from alliance.indicators.change_log import indicator_changes as log
from alliance.indicators.reads import VisibleIndicator
from alliance.indicators.vocabulary import IndicatorStatus, RemoveReason
from alliance.members.models import Member
from sharing import Viewer
from sharing.errors import InvalidCursor
from sharing.feed import FeedCursor, situation_digest
from sharing.policy import ViewerFacts
from sharing.predicate import logged_visible_to
from sharing.sql_lists import one_of

MAX_FIRST = 10_000


@dataclass(frozen=True, slots=True)
class Upsert:
    record: VisibleIndicator


@dataclass(frozen=True, slots=True)
class Remove:
    id: uuid.UUID
    reason: RemoveReason


@dataclass(frozen=True, slots=True)
class Resync:
    """Drop the local copy and pull again from the start (the cursor given does that)."""


Event = Upsert | Remove | Resync


@dataclass(frozen=True, slots=True)
class ChangePage:
    events: list[Event]
    cursor: str
    has_more: bool
    # Rows of transactions still open elsewhere wait to be put in order (PostgreSQL).
    pending: bool


def require_first(first: int) -> None:
    """`first` is 1 to MAX_FIRST; InvalidInput naming `first` otherwise."""
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"`first` must be between 1 and {MAX_FIRST:,}.", field="first")


async def situation(session: AsyncSession, viewer: Viewer) -> str:
    """The digest of what decides the viewer's view as a whole: its facts, its member's
    status and when that last changed (a reinstatement), the agreement it accepted."""
    facts = ViewerFacts.of(viewer)
    if viewer.member_id is None:
        return situation_digest(facts)
    found = await session.execute(
        select(Member.status, Member.status_changed_at, Member.accepted_agreement_version).where(
            Member.id == viewer.member_id
        )
    )
    return situation_digest(facts, *(found.one_or_none() or ()))


async def changes(
    session: AsyncSession,
    *,
    viewer: Viewer,
    after: str | None,
    first: int = 1000,
    reads_log: ReadLog | None = None,
    now: dt.datetime | None = None,
) -> ChangePage:
    """The events since `after` (None: from the start) for `viewer`, at most `first` log
    rows' worth, and the cursor to continue from. `session` is a viewer session."""
    require_first(first)
    moment = now or utcnow()
    digest = await situation(session, viewer)
    if after is None:
        cursor = FeedCursor.start(digest=digest, now=moment, origin=await _origin(session))
    else:
        try:
            cursor = FeedCursor.decode(after)
        except InvalidCursor as error:
            raise InvalidInput(error.message, field="after") from error
        if cursor.digest != digest:
            fresh = FeedCursor.start(digest=digest, now=moment, origin=await _origin(session))
            return ChangePage(
                events=[Resync()], cursor=fresh.encode(), has_more=True, pending=False
            )
    rows, pending = await _settled_rows(session, cursor, first + 1)
    more = len(rows) > first
    rows = rows[:first]
    expiring, watermark, more_expiring = await _expiring(session, cursor.watermark, moment, first)
    ordered = list(dict.fromkeys([*(row.record_id for row in rows), *expiring]))
    events = await _events(session, viewer, ordered, moment, cursor.origin)
    if reads_log is not None:
        upserted = (e.record.indicator.id for e in events if isinstance(e, Upsert))
        reads_log.note("changes", "Indicator", upserted)
    last = rows[-1] if rows else None
    following = FeedCursor(
        xid=cursor.xid if last is None else last.xid,
        seq=cursor.seq if last is None else last.seq,
        watermark=watermark,
        digest=digest,
        origin=cursor.origin,
    )
    return ChangePage(
        events=events,
        cursor=following.encode(),
        has_more=more or more_expiring,
        pending=pending and not more,
    )


async def _settled_rows(
    session: AsyncSession, cursor: FeedCursor, limit: int
) -> tuple[list[Row[Any]], bool]:
    """Log rows after `cursor` that no open transaction can still add to, in order, and
    whether rows of transactions still open wait behind them (PostgreSQL)."""
    if not _is_postgresql(session):
        statement = (
            select(log.c.seq, literal_column("0").label("xid"), log.c.record_id)
            .where(log.c.seq > cursor.seq)
            .order_by(log.c.seq)
            .limit(limit)
        )
        return list((await session.execute(statement)).all()), False
    # Rows of transactions at or after the snapshot's xmin sort after every settled row
    # (their xid is larger): one statement reads the settled ones and sees if any wait.
    statement = (
        select(
            log.c.seq,
            literal_column("indicator_changes.xid::text::bigint").label("xid"),
            log.c.record_id,
            text("indicator_changes.xid < pg_snapshot_xmin(pg_current_snapshot()) AS settled"),
        )
        .where(text("(indicator_changes.xid, seq) > (CAST(:cursor_xid AS xid8), :cursor_seq)"))
        # The table's column, not the output's bigint of the same name: the index's order.
        .order_by(literal_column("indicator_changes.xid"), log.c.seq)
        .limit(limit)
    )
    found = await session.execute(statement, {"cursor_xid": cursor.xid, "cursor_seq": cursor.seq})
    rows = list(found.all())
    settled = [row for row in rows if row.settled]
    return settled, len(settled) < len(rows)


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _origin(session: AsyncSession) -> int:
    """Where the log stands now, for a copy starting now: every row of a transaction
    older than this xmin (PostgreSQL), or up to this seq (SQLite), was committed."""
    if _is_postgresql(session):
        found = await session.scalar(
            text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        )
    else:
        found = await session.scalar(select(func.max(log.c.seq)))
    return int(found or 0)


def _current_since(origin: int, postgresql: bool) -> ColumnElement[bool]:
    """Log rows that were their record's state at `origin` or later: no later row of the
    record was committed before it (a record's rows commit in seq order: its row lock)."""
    later = log.alias("later")
    committed: ColumnElement[bool] | TextClause = later.c.seq <= origin
    if postgresql:
        # Bound as text: SQLAlchemy would bind an int as INTEGER, which has no cast to xid8.
        origin_xid = bindparam("feed_origin", str(origin), type_=String())
        committed = text("later.xid < CAST(CAST(:feed_origin AS text) AS xid8)").bindparams(
            origin_xid
        )
    replaced = select(later.c.seq).where(
        later.c.record_id == log.c.record_id, later.c.seq > log.c.seq, committed
    )
    return ~replaced.exists()


def _latest() -> ColumnElement[bool]:
    """Log rows that are their record's latest state (no later row of the record)."""
    later = log.alias("later")
    newer = select(later.c.seq).where(later.c.record_id == log.c.record_id, later.c.seq > log.c.seq)
    return ~newer.exists()


async def _expiring(
    session: AsyncSession, since: dt.datetime, now: dt.datetime, first: int
) -> tuple[list[uuid.UUID], dt.datetime, bool]:
    """Records whose expiry (as last logged) lies in (since, now], earliest first, at
    most about `first` of them; the new watermark; whether more remain."""
    window = and_(
        log.c.expires_at > since, log.c.expires_at <= now, log.c.deleted.is_(false()), _latest()
    )
    edges = await session.execute(
        select(log.c.expires_at).where(window).order_by(log.c.expires_at).limit(first + 1)
    )
    moments = list(edges.scalars())
    watermark, more = now, False
    if len(moments) > first:
        # The rest next time; records expiring at the same moment as the last one
        # taken come together, so the watermark never splits them.
        watermark, more = moments[first - 1], True
    if not moments:
        return [], watermark, more
    ids = await session.execute(
        select(log.c.record_id)
        .where(window, log.c.expires_at <= watermark)
        .order_by(log.c.expires_at, log.c.record_id)
    )
    return list(ids.scalars()), watermark, more


async def _events(
    session: AsyncSession,
    viewer: Viewer,
    ids: Sequence[uuid.UUID],
    now: dt.datetime,
    origin: int,
) -> list[Event]:
    """One event per record (in the order given) that the viewer may be told about."""
    if not ids:
        return []
    visible = await reads.by_ids(session, viewer=viewer, ids=ids)
    gone = [rid for rid in ids if rid not in visible]
    reasons = await _reasons(session, viewer, gone, now, origin)
    events: list[Event] = []
    for rid in ids:
        if rid in visible:
            events.append(Upsert(visible[rid]))
        elif rid in reasons:
            events.append(Remove(rid, reasons[rid]))
    return events


async def _reasons(
    session: AsyncSession,
    viewer: Viewer,
    ids: Sequence[uuid.UUID],
    now: dt.datetime,
    origin: int,
) -> dict[uuid.UUID, RemoveReason]:
    """For each of `ids` that the viewer's copy may hold, why it left: some logged state
    of it, still current when the copy started or later, was visible to the viewer."""
    if not ids:
        return {}
    seen_once = and_(
        logged_visible_to(log.c, ViewerFacts.of(viewer)),
        reads.shown(viewer, log.c),
        log.c.deleted.is_(false()),
        _current_since(origin, _is_postgresql(session)),
    )
    ever = await session.execute(
        select(log.c.record_id).where(one_of(log.c.record_id, list(ids)), seen_once).distinct()
    )
    known = list(ever.scalars())
    if not known:
        return {}
    latest = await session.execute(
        select(
            log.c.record_id, log.c.deleted, log.c.purged_at, log.c.status, log.c.expires_at
        ).where(one_of(log.c.record_id, known), _latest())
    )
    return {row.record_id: _reason(row, now) for row in latest}


def _reason(state: Any, now: dt.datetime) -> RemoveReason:
    if state.deleted or state.purged_at is not None:
        return RemoveReason.DELETED
    if state.status == IndicatorStatus.RETRACTED:
        return RemoveReason.RETRACTED
    expires = state.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC
    if state.status == IndicatorStatus.EXPIRED or (expires is not None and expires <= now):
        return RemoveReason.EXPIRED
    return RemoveReason.ACCESS_REVOKED
