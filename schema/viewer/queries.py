from __future__ import annotations

from schema.capabilities import ANY_VIEWER, query_field
from schema.context import Info
from schema.viewer.types import ViewerType


async def resolve_viewer(info: Info) -> ViewerType:
    # Nothing is read here: the member and the user are read if the query selects them.
    return ViewerType.of(info.context.viewer)


viewer = query_field(resolve_viewer, capability=ANY_VIEWER, description="Who is calling.")
