from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators import reads as indicator_reads
from alliance.indicators import service as indicator_service
from alliance.indicators.drafts import parse_requested_audience
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.indicators.types import IndicatorType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why indicatorShare failed.")
class IndicatorShareError(MutationError):
    pass


@strawberry.type
class IndicatorSharePayload:
    errors: list[IndicatorShareError]
    indicator: IndicatorType | None = None


async def resolve(
    info: Info, id: strawberry.ID, audience: str | None = None
) -> IndicatorSharePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        shared, _ = await indicator_service.share(
            session,
            viewer=viewer,
            indicator_id=require_id(id, "Indicator"),
            audience=parse_requested_audience(audience),
        )
        await session.flush()
        found = await indicator_reads.by_ids(session, viewer=viewer, ids=[shared.id])
        shown = found.get(shared.id)  # None without the read right
        return {"indicator": None if shown is None else IndicatorType.from_visible(shown)}

    payload: IndicatorSharePayload = await run_mutation(
        info, payload=IndicatorSharePayload, error=IndicatorShareError, operation=operation
    )
    return payload


indicator_share = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE),
    description=(
        "Give one of your indicators a new audience (text form; null: your policy's "
        "default). The stored audience is what your policy allows; see `audience`."
    ),
    payload=IndicatorSharePayload,
    error=IndicatorShareError,
)
