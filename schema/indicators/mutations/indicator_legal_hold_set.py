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


@strawberry.type(description="Why indicatorLegalHoldSet failed.")
class IndicatorLegalHoldSetError(MutationError):
    pass


@strawberry.type
class IndicatorLegalHoldSetPayload:
    errors: list[IndicatorLegalHoldSetError]
    indicator: IndicatorType | None = None


async def resolve(
    info: Info, id: strawberry.ID, hold: bool, reason: str | None = None
) -> IndicatorLegalHoldSetPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        held = await indicator_service.set_legal_hold(
            session,
            viewer=viewer,
            indicator_id=require_id(id, "Indicator"),
            hold=hold,
            reason=reason,
        )
        await session.flush()
        found = await indicator_reads.by_ids(session, viewer=viewer, ids=[held.id])
        shown = found.get(held.id)  # None without the read right
        return {"indicator": None if shown is None else IndicatorType.from_visible(shown)}

    payload: IndicatorLegalHoldSetPayload = await run_mutation(
        info,
        payload=IndicatorLegalHoldSetPayload,
        error=IndicatorLegalHoldSetError,
        operation=operation,
    )
    return payload


indicator_legal_hold_set = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Set (with a reason) or clear the legal hold of one of your member's indicators "
        "(your member's admins; audited). A held record is never purged; only your member "
        "sees the hold."
    ),
    payload=IndicatorLegalHoldSetPayload,
    error=IndicatorLegalHoldSetError,
)
