"""Relay cursor connections built from a service's `Page`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from alliance.pagination import Page

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page of a connection stands.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="One item of a connection and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


Count = Callable[[], Awaitable[int]]


@strawberry.type(description="A page of items, with cursors to fetch the next one.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count: strawberry.Private[Count]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="How many items the viewer may see in all; counted only when asked for."
    )
    async def total_count(self) -> int:
        # Counted only when asked for: a count reads every matching row, a page a few.
        return await self.count()


def connection_from_page(
    page: Page[Any], to_node: Callable[[Any], NodeT], *, count: Count | None = None
) -> Connection[NodeT]:
    """The connection of `page`; its `totalCount` is `count()` where given (run only if
    the query asks for it), else the page's own total."""
    edges = [
        Edge(cursor=c, node=to_node(item)) for item, c in zip(page.items, page.cursors, strict=True)
    ]

    async def page_total() -> int:
        return page.total_count

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        count=count or page_total,
    )
