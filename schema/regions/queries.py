from __future__ import annotations

from alliance.regions import service as region_service
from schema.capabilities import ANY_VIEWER, query_field
from schema.context import Info
from schema.regions.types import RegionType


async def resolve_regions(info: Info) -> list[RegionType]:
    async with info.context.session() as session:
        return [RegionType.from_model(r) for r in await region_service.all_regions(session)]


regions = query_field(resolve_regions, capability=ANY_VIEWER, description="Every region, by code.")
