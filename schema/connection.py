"""Relay cursor connections built from a service's `Page`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from alliance.pagination import Page, Total

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page of a connection stands.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="One item of a connection and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


Count = Callable[[], Awaitable[Total]]


class LazyTotal:
    """Runs a count once, the first time a field asks for it (both total fields of one
    connection share it, even when resolved concurrently)."""

    def __init__(self, count: Count) -> None:
        self._count = count
        self._running: asyncio.Future[Total] | None = None

    async def get(self) -> Total:
        if self._running is None:
            self._running = asyncio.ensure_future(self._count())
        return await asyncio.shield(self._running)


@strawberry.type(description="A page of items, with cursors to fetch the next one.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total: strawberry.Private[LazyTotal]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "How many items the viewer may see in all, counted only when asked for: exact "
            "for lists up to a cap (1,000 for indicators), an estimate beyond it "
            "(then totalCountIsEstimate is true)."
        )
    )
    async def total_count(self) -> int:
        # Counted only when asked for: a count reads every matching row, a page a few.
        return (await self.total.get()).value

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="True when totalCount is an estimate (the list is longer than the cap)."
    )
    async def total_count_is_estimate(self) -> bool:
        return not (await self.total.get()).exact


def connection_from_page(
    page: Page[Any], to_node: Callable[[Any], NodeT], *, count: Count | None = None
) -> Connection[NodeT]:
    """The connection of `page`; its `totalCount` is `count()` where given (run only if
    the query asks for it), else the page's own total."""
    edges = [
        Edge(cursor=c, node=to_node(item)) for item, c in zip(page.items, page.cursors, strict=True)
    ]

    async def page_total() -> Total:
        return Total(page.total_count)

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total=LazyTotal(count or page_total),
    )
