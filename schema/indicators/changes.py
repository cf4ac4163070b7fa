"""The change feed `changes(after, first)`: how a member system keeps its copy in sync."""

from __future__ import annotations

from typing import Annotated

import strawberry

from alliance.indicators import changes as feed
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.enums import RemoveReason
from schema.ids import to_global_id
from schema.indicators.types import IndicatorType
from sharing import Scope


@strawberry.type(description="The record is visible to you: add it, or replace your copy.")
class UpsertEvent:
    record: IndicatorType = strawberry.field(description="The record as you may see it now.")


@strawberry.type(description="The record left your view: drop your copy.")
class RemoveEvent:
    id: strawberry.ID = strawberry.field(description="The record's global id.")
    reason: RemoveReason


@strawberry.type(
    description=(
        "Your own situation changed what you may see as a whole (reinstated, a new "
        "agreement accepted, another region): drop your copy and continue with `cursor`, "
        "which replays everything visible to you now (the same as `after: null`)."
    )
)
class ResyncEvent:
    cursor: str = strawberry.field(description="The page's cursor, repeated here.")


ChangeEvent = Annotated[
    UpsertEvent | RemoveEvent | ResyncEvent,
    strawberry.union("ChangeEvent", description="One change to your copy."),
]


@strawberry.type(description="A page of the change feed.")
class ChangePage:
    events: list[ChangeEvent] = strawberry.field(
        description="In the feed's order; at most one per record."
    )
    cursor: str = strawberry.field(description="Pass it as `after` for the next page.")
    has_more: bool = strawberry.field(
        description="More is waiting now; when false, poll again later with `cursor`."
    )
    pending: bool = strawberry.field(
        description=(
            "Changes of transactions still open are waiting to be put in order behind "
            "this page: poll again soon rather than at your usual interval."
        )
    )


def _event(event: feed.Event, cursor: str) -> UpsertEvent | RemoveEvent | ResyncEvent:
    if isinstance(event, feed.Upsert):
        return UpsertEvent(record=IndicatorType.from_visible(event.record))
    if isinstance(event, feed.Remove):
        return RemoveEvent(
            id=strawberry.ID(to_global_id("Indicator", event.id)), reason=event.reason
        )
    return ResyncEvent(cursor=cursor)


async def resolve_changes(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(description="The cursor of the last page; null: from the start."),
    ] = None,
    first: Annotated[
        int, strawberry.argument(description=f"Log entries to read, 1 to {feed.MAX_FIRST:,}.")
    ] = 1000,
) -> ChangePage:
    feed.require_first(first)
    async with info.context.session() as session:
        page = await feed.changes(
            session,
            viewer=info.context.viewer,
            after=after,
            first=first,
            reads_log=info.context.reads,
        )
    return page_of(page)


def page_of(page: feed.ChangePage) -> ChangePage:
    """A page of the feed as GraphQL shows it (the query's and the subscription's)."""
    return ChangePage(
        events=[_event(event, page.cursor) for event in page.events],
        cursor=page.cursor,
        has_more=page.has_more,
        pending=page.pending,
    )


changes = query_field(
    resolve_changes,
    capability=requires(Scope.INDICATORS_READ),
    description=(
        "What changed in your view of indicators since `after`, in one global order: "
        "UPSERT (the record as you may see it now), REMOVE (id and reason; only for "
        "records you could see before) and RESYNC. Apply every event in order and your "
        "copy holds exactly the indicators you may list now."
    ),
)
