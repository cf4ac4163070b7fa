from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators import reads as indicator_reads
from alliance.indicators import service as indicator_service
from alliance.indicators.drafts import IndicatorDraft, parse_requested_audience
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import EvidenceLevel, Purpose, Tlp
from schema.errors import MutationError
from schema.ids import require_ids
from schema.indicators.inputs import IndicatorValueInput
from schema.indicators.types import IndicatorType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why indicatorCreate failed.")
class IndicatorCreateError(MutationError):
    existing_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="On CONFLICT over externalId: your indicator that already has it.",
    )


@strawberry.input(description="A new indicator of your member.")
class IndicatorCreateInput:
    value: IndicatorValueInput
    brand_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    confidence: int = 50
    evidence_level: EvidenceLevel = EvidenceLevel.OBSERVED
    jurisdiction: str | None = None
    purpose: Purpose = Purpose.MONITORING
    tlp: Tlp = Tlp.AMBER
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    external_id: str | None = strawberry.field(
        default=None, description="Your own id for it; unique per member (idempotency key)."
    )
    audience: str | None = strawberry.field(
        default=None,
        description='E.g. "alliance=FULL, region:EU=ANONYMOUS, exclude:<member uuid>"; '
        "null: your policy's default. Your policy's ceilings and excludes apply.",
    )
    personal_data_region: str | None = strawberry.field(
        default=None, description="Region whose personal data the value holds, if any."
    )

    def to_domain(self) -> IndicatorDraft:
        return IndicatorDraft(
            kind=self.value.kind,
            value=self.value.to_domain(),
            brand_ids=require_ids(self.brand_ids, "Brand", field="brandIds"),
            confidence=self.confidence,
            evidence_level=self.evidence_level,
            jurisdiction=self.jurisdiction,
            purpose=self.purpose,
            tlp=self.tlp,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            expires_at=self.expires_at,
            external_id=self.external_id,
            audience=parse_requested_audience(self.audience),
            personal_data_region=self.personal_data_region,
        )


@strawberry.type
class IndicatorCreatePayload:
    errors: list[IndicatorCreateError]
    indicator: IndicatorType | None = None


async def resolve(info: Info, input: IndicatorCreateInput) -> IndicatorCreatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        created = await indicator_service.create(session, viewer=viewer, draft=input.to_domain())
        found = await indicator_reads.by_ids(session, viewer=viewer, ids=[created.id])
        shown = found.get(created.id)  # None without the read right
        return {"indicator": None if shown is None else IndicatorType.from_visible(shown)}

    payload: IndicatorCreatePayload = await run_mutation(
        info, payload=IndicatorCreatePayload, error=IndicatorCreateError, operation=operation
    )
    return payload


indicator_create = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE),
    description="Add an indicator of your member, shared with the audience your policy allows.",
    payload=IndicatorCreatePayload,
    error=IndicatorCreateError,
)
