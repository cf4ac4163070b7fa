from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators import sightings as sighting_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import SightingKind
from schema.errors import MutationError
from schema.ids import require_id
from schema.indicators.types import SightingType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why sightingAdd failed.")
class SightingAddError(MutationError):
    pass


@strawberry.input(description="Your member's sighting of an indicator you may see.")
class SightingAddInput:
    indicator_id: strawberry.ID
    kind: SightingKind
    note: str | None = None
    disclosed: bool = strawberry.field(
        default=False, description="Show your member's name to others (default: anonymous)."
    )


@strawberry.type
class SightingAddPayload:
    errors: list[SightingAddError]
    sighting: SightingType | None = None


async def resolve(info: Info, input: SightingAddInput) -> SightingAddPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        sighting = await sighting_service.add(
            session,
            viewer=viewer,
            indicator_id=require_id(input.indicator_id, "Indicator", field="indicatorId"),
            kind=input.kind,
            note=input.note,
            disclosed=input.disclosed,
        )
        found = await sighting_service.by_ids(session, viewer=viewer, ids=[sighting.id])
        shown = found.get(sighting.id)  # None without the read right
        return {"sighting": None if shown is None else SightingType.from_visible(shown)}

    payload: SightingAddPayload = await run_mutation(
        info, payload=SightingAddPayload, error=SightingAddError, operation=operation
    )
    return payload


sighting_add = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE),
    description="Record that your member saw, took down or found false an indicator.",
    payload=SightingAddPayload,
    error=SightingAddError,
)
