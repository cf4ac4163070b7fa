"""TAXII 2.1 collections over the change feed: which records a viewer may read, in pages.

A collection is the viewer's view of indicators (or a part of it: records whose owner is
named to the viewer, or those shared anonymously), one `indicator` SDO per record
(alliance/stix/convert.py). Every read goes through the change feed
(alliance/indicators/changes.py) or `reads.by_ids` on the viewer session, so a collection
holds exactly what `indicators` lists to the viewer, never MATCH_ONLY or invisible
records. A page's `next` is the feed cursor: opaque, resumable on any instance. The feed's
REMOVE events have no TAXII form (TAXII has no tombstones): a removed record is simply
absent from later pages and from `GET objects/{id}`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit.reads import ReadLog
from alliance.indicators import changes as feed
from alliance.indicators import reads
from alliance.indicators.reads import VisibleIndicator
from alliance.stix.convert import record_id, version
from alliance.stix.observables import NAMESPACE
from sharing import Viewer

# The only object type in a collection, and the only STIX version.
OBJECT_TYPE = "indicator"
SPEC_VERSION = "2.1"
# What one request may walk while filling a page: records invisible to the viewer,
# removals and filters consume log rows without giving objects. Feed pages are never
# split (the cursor is per page), so each is at most the room left in the page: a small
# `limit` reads small feed pages, and the number of reads is capped too.
SCAN_BUDGET = 20_000
MAX_FEED_READS = 20
MAX_MATCH_IDS = 1_000


@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    title: str
    description: str
    keeps: Callable[[VisibleIndicator], bool]


def _collection_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"taxii-collection:{name}"))


COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        id=_collection_id("indicators"),
        title="Indicators",
        description="Every indicator you may list: yours, and others' shared with you at "
        "FULL or ANONYMOUS level.",
        keeps=lambda item: True,
    ),
    Collection(
        id=_collection_id("indicators-named"),
        title="Indicators, owner named",
        description="The indicators whose owner is named to you: yours, and others' "
        "shared with you at FULL level.",
        keeps=lambda item: item.owner_id is not None,
    ),
    Collection(
        id=_collection_id("indicators-anonymous"),
        title="Indicators, owner not named",
        description="The indicators shared with you at ANONYMOUS level, and those of "
        "former members.",
        keeps=lambda item: item.owner_id is None,
    ),
)


def collection(collection_id: str) -> Collection | None:
    """The collection of that id; None for any other."""
    return next((c for c in COLLECTIONS if c.id == collection_id), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectFilter:
    """TAXII's `added_after` and `match[...]` (TAXII 2.1 §3.4); None leaves one open."""

    added_after: dt.datetime | None = None
    ids: frozenset[str] | None = None
    types: frozenset[str] | None = None
    # "first", "last", "all" (every version we have: the current one) or timestamps.
    versions: frozenset[str] | None = None
    spec_versions: frozenset[str] | None = None

    def excludes_everything(self) -> bool:
        """True where no indicator SDO can match, whatever the records."""
        return (self.types is not None and OBJECT_TYPE not in self.types) or (
            self.spec_versions is not None and SPEC_VERSION not in self.spec_versions
        )

    def keeps(self, item: VisibleIndicator) -> bool:
        """Whether the record's SDO passes every filter."""
        current = version(item)
        if self.added_after is not None and current <= self.added_after:
            return False
        return self.versions is None or bool(
            self.versions & {"first", "last", "all"} or _stamp(current) in self.versions
        )


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def timestamp(moment: dt.datetime) -> str:
    """A STIX/TAXII timestamp, to the millisecond, in UTC."""
    return _stamp(moment.astimezone(dt.UTC))


@dataclass(slots=True)
class ObjectsPage:
    items: list[VisibleIndicator] = field(default_factory=list)
    next: str | None = None
    more: bool = False
    # PostgreSQL: changes of transactions still open (anywhere in the cluster) wait to be
    # put in order behind this page; polling again soon with `next` gets them.
    pending: bool = False


async def objects(
    session: AsyncSession,
    *,
    viewer: Viewer,
    collection: Collection,
    wanted: ObjectFilter,
    limit: int,
    after: str | None,
    reads_log: ReadLog,
) -> ObjectsPage:
    """Up to `limit` records of `collection` that the viewer may list and `wanted` keeps,
    in the feed's order, from `after` (a `next` of an earlier page; None: the start).

    `next` resumes after the last record returned; `more` says more may follow now. The
    feed gives whole pages, so a page may hold a few more than `limit` where records
    expire together; a page may hold fewer, even none, where the scan budget ran out
    (`more` then says so). With `wanted.ids` (at most MAX_MATCH_IDS) every match comes
    in one page.
    """
    if wanted.excludes_everything():
        return ObjectsPage(next=after)
    if wanted.ids is not None:
        return ObjectsPage(
            items=await by_object_ids(
                session,
                viewer=viewer,
                collection=collection,
                ids=wanted.ids,
                wanted=wanted,
                reads_log=reads_log,
            )
        )
    page = ObjectsPage(next=after, more=True)
    scanned = reads_made = 0
    while page.more and len(page.items) < limit:
        if scanned >= SCAN_BUDGET or reads_made >= MAX_FEED_READS:
            break
        reads_made += 1
        room = limit - len(page.items)
        changes = await feed.changes(
            session, viewer=viewer, after=page.next, first=min(room, feed.MAX_FIRST)
        )
        scanned += room
        page.items.extend(
            event.record
            for event in changes.events
            if isinstance(event, feed.Upsert)
            and collection.keeps(event.record)
            and wanted.keeps(event.record)
        )
        page.next, page.more, page.pending = changes.cursor, changes.has_more, changes.pending
    reads_log.note("taxii", "Indicator", (item.indicator.id for item in page.items))
    return page


async def by_object_ids(
    session: AsyncSession,
    *,
    viewer: Viewer,
    collection: Collection,
    ids: frozenset[str] | Sequence[str],
    wanted: ObjectFilter | None = None,
    reads_log: ReadLog,
) -> list[VisibleIndicator]:
    """The records of `collection` whose SDO ids are among `ids` and that the viewer may
    list; an id of a record it may not list is absent, exactly like one that names
    nothing."""
    records = sorted({rid for text in ids if (rid := record_id(text)) is not None})
    found = await reads.by_ids(session, viewer=viewer, ids=records[:MAX_MATCH_IDS])
    items = [
        found[rid]
        for rid in records
        if rid in found
        and collection.keeps(found[rid])
        and (wanted is None or wanted.keeps(found[rid]))
    ]
    reads_log.note("taxii", "Indicator", (item.indicator.id for item in items))
    return items
