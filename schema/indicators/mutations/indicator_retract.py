from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators import reads as indicator_reads
from alliance.indicators import service as indicator_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.indicators.types import IndicatorType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why indicatorRetract failed.")
class IndicatorRetractError(MutationError):
    pass


@strawberry.type
class IndicatorRetractPayload:
    errors: list[IndicatorRetractError]
    indicator: IndicatorType | None = None


async def resolve(info: Info, id: strawberry.ID) -> IndicatorRetractPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        retracted = await indicator_service.retract(
            session, viewer=viewer, indicator_id=require_id(id, "Indicator")
        )
        await session.flush()
        found = await indicator_reads.by_ids(session, viewer=viewer, ids=[retracted.id])
        shown = found.get(retracted.id)  # None without the read right
        return {"indicator": None if shown is None else IndicatorType.from_visible(shown)}

    payload: IndicatorRetractPayload = await run_mutation(
        info, payload=IndicatorRetractPayload, error=IndicatorRetractError, operation=operation
    )
    return payload


indicator_retract = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE),
    description="Retract one of your member's indicators: it leaves every other member's view.",
    payload=IndicatorRetractPayload,
    error=IndicatorRetractError,
)
