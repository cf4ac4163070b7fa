from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators import reads as indicator_reads
from alliance.indicators import service as indicator_service
from alliance.indicators.drafts import IndicatorChanges
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import EvidenceLevel, Purpose
from schema.errors import MutationError
from schema.ids import require_id, require_ids
from schema.indicators.types import IndicatorType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why indicatorUpdate failed.")
class IndicatorUpdateError(MutationError):
    pass


@strawberry.input(description="Fields left null keep their value.")
class IndicatorUpdateInput:
    id: strawberry.ID
    confidence: int | None = None
    evidence_level: EvidenceLevel | None = None
    jurisdiction: str | None = None
    purpose: Purpose | None = None
    last_seen: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    brand_ids: list[strawberry.ID] | None = None

    def to_domain(self) -> IndicatorChanges:
        brands = None
        if self.brand_ids is not None:
            brands = require_ids(self.brand_ids, "Brand", field="brandIds")
        return IndicatorChanges(
            confidence=self.confidence,
            evidence_level=self.evidence_level,
            jurisdiction=self.jurisdiction,
            purpose=self.purpose,
            last_seen=self.last_seen,
            expires_at=self.expires_at,
            brand_ids=brands,
        )


@strawberry.type
class IndicatorUpdatePayload:
    errors: list[IndicatorUpdateError]
    indicator: IndicatorType | None = None


async def resolve(info: Info, input: IndicatorUpdateInput) -> IndicatorUpdatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        updated = await indicator_service.update(
            session,
            viewer=viewer,
            indicator_id=require_id(input.id, "Indicator"),
            changes=input.to_domain(),
        )
        await session.flush()
        found = await indicator_reads.by_ids(session, viewer=viewer, ids=[updated.id])
        shown = found.get(updated.id)  # None without the read right
        return {"indicator": None if shown is None else IndicatorType.from_visible(shown)}

    payload: IndicatorUpdatePayload = await run_mutation(
        info, payload=IndicatorUpdatePayload, error=IndicatorUpdateError, operation=operation
    )
    return payload


indicator_update = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE),
    description="Change fields of one of your member's active indicators.",
    payload=IndicatorUpdatePayload,
    error=IndicatorUpdateError,
)
