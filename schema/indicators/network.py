"""The `infringerNetwork` query."""

from __future__ import annotations

import strawberry

from alliance.indicators.network import network
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.ids import parse_global_id
from schema.indicators.types import IndicatorType, LinkObject
from sharing import Scope


@strawberry.type(description="Indicators linked to one another, as far as you may see them.")
class InfringerNetwork:
    indicators: list[IndicatorType] = strawberry.field(description="The start comes first.")
    links: list[LinkObject]
    truncated: bool = strawberry.field(description="Whether the network was cut at 200 nodes.")


async def resolve_infringer_network(
    info: Info, id: strawberry.ID, depth: int = 2
) -> InfringerNetwork | None:
    parsed = parse_global_id(str(id))
    if parsed is None or parsed[0] != "Indicator":
        return None
    viewer = info.context.viewer
    async with info.context.session() as session:
        found = await network(
            session, viewer=viewer, reads=info.context.reads, indicator_id=parsed[1], depth=depth
        )
    if found is None:
        return None
    return InfringerNetwork(
        indicators=[IndicatorType.from_visible(i) for i in found.indicators],
        links=[LinkObject.from_model(link, viewer.member_id) for link in found.links],
        truncated=found.truncated,
    )


infringer_network = query_field(
    resolve_infringer_network,
    capability=requires(Scope.INDICATORS_READ),
    description=(
        "The indicators reachable from one through links, up to `depth` (1-3) links away; "
        "links are followed only between indicators you may see. Null like `node`."
    ),
)
