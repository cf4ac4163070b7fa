"""The `changes` subscription: the change feed pushed as it grows (graphql-transport-ws).

It is the feed of `Query.changes` (alliance/indicators/changes.py) read from the
subscriber's own cursor whenever the change log may hold something new: woken by
PostgreSQL's notifications from any instance, or by polling on SQLite
(alliance/indicators/change_signal.py), and at least every RECHECK_SECONDS. Before every
read it checks the subscriber again (token expiry, revocation, suspension, scope): the
socket of a subscriber that may no longer read is closed (4401; 4403 without the scope).
Each read is one page of at most `first` log entries in a session of its own; a
subscriber that falls behind is never dropped: it gets the next pages at once, each with
`hasMore`, from where its cursor stands, and a client that reconnects resumes with
`after` = the last cursor it applied.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from alliance.errors import Forbidden, Unauthenticated
from alliance.indicators import changes as feed
from schema.capabilities import require, requires, subscription_field
from schema.context import Info, SocketContext
from schema.error_policy import error_of
from schema.indicators.changes import ChangePage, page_of
from sharing import Scope

RECHECK_SECONDS = 30.0
CHANGES = requires(Scope.INDICATORS_READ)


async def subscribe_changes(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(description="The last cursor you applied; null: from the start."),
    ] = None,
    first: Annotated[
        int, strawberry.argument(description=f"Log entries per page, 1 to {feed.MAX_FIRST:,}.")
    ] = 1000,
) -> AsyncGenerator[ChangePage, None]:
    context = info.context
    if not isinstance(context, SocketContext) or context.recheck is None:
        raise Forbidden("Subscriptions run over a WebSocket (graphql-transport-ws).")
    feed.require_first(first)
    cursor, sent = after, False
    while True:
        try:
            page = await _page(context, cursor, first)
        except (Unauthenticated, Forbidden) as refused:  # the socket is shut, not just this
            await context.shut(
                4401 if isinstance(refused, Unauthenticated) else 4403, refused.message
            )
            return
        except Exception as error:  # shown like any answer's errors, internals masked
            raise error_of(error) from None
        cursor = page.cursor
        if page.events or not sent:  # the first page always: it carries the cursor
            sent = True
            yield page_of(page)
        if page.has_more:
            continue
        if context.signal is not None:
            await context.signal.wait(1.0 if page.pending else RECHECK_SECONDS)


async def _page(context: SocketContext, cursor: str | None, first: int) -> feed.ChangePage:
    if context.recheck is None:  # connection_init sets it before any subscription
        raise Forbidden("Send an access token in connection_init.")
    viewer = await context.recheck()
    require(CHANGES, viewer)
    async with context.database.viewer_session(viewer) as session:
        return await feed.changes(session, viewer=viewer, after=cursor, first=first)


changes = subscription_field(
    subscribe_changes,
    capability=CHANGES,
    description=(
        "The change feed of `Query.changes`, pushed: a page whenever your view of "
        "indicators changes (the first page at once, with the cursor to resume from). Over "
        "WebSocket (graphql-transport-ws), the access token in `connection_init`'s payload "
        '(`{"authorization": "Bearer …"}`), checked again before every page.'
    ),
)
