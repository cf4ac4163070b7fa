from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import AllianceError, ErrorCode
from alliance.indicators import rules
from alliance.indicators import upsert as upsert_service
from alliance.indicators.drafts import parse_requested_audience
from alliance.indicators.upsert import UpsertItem
from alliance.indicators.vocabulary import UpsertStatus
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import EvidenceLevel, Purpose, Tlp
from schema.errors import MutationError
from schema.ids import require_ids
from schema.indicators.inputs import IndicatorValueInput
from schema.indicators.item_results import item_fields
from schema.input_objects import one_pass
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why indicatorsUpsert wrote nothing at all.")
class IndicatorsUpsertError(MutationError):
    pass


@one_pass
@strawberry.input(
    description="One indicator of yours. A field left null takes its default when the "
    "indicator is created and keeps its value when it exists; value, tlp, firstSeen and "
    "personalDataRegion never change."
)
class IndicatorUpsertItemInput:
    value: IndicatorValueInput
    external_id: str | None = strawberry.field(
        default=None,
        description="Your own id for it (the key of the upsert); without one, the key is "
        "the kind and normalised value among your indicators.",
    )
    brand_ids: list[strawberry.ID] | None = None
    confidence: int | None = None
    evidence_level: EvidenceLevel | None = None
    jurisdiction: str | None = None
    purpose: Purpose | None = None
    tlp: Tlp | None = strawberry.field(default=None, description="null: AMBER when created.")
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    audience: str | None = strawberry.field(
        default=None,
        description="As in indicatorCreate; null: your policy's default when created, "
        "kept when it exists.",
    )
    personal_data_region: str | None = None

    def to_domain(self) -> UpsertItem:
        brands = None
        if self.brand_ids is not None:
            brands = require_ids(self.brand_ids, "Brand", field="brandIds")
        return UpsertItem(
            kind=self.value.kind,
            value=self.value.to_domain(),
            external_id=self.external_id,
            brand_ids=brands,
            confidence=self.confidence,
            evidence_level=self.evidence_level,
            jurisdiction=self.jurisdiction,
            purpose=self.purpose,
            tlp=self.tlp,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            expires_at=self.expires_at,
            audience=parse_requested_audience(self.audience),
            personal_data_region=self.personal_data_region,
        )


@strawberry.input(description=f"At most {rules.MAX_BATCH} indicators of yours.")
class IndicatorsUpsertInput:
    items: list[IndicatorUpsertItemInput]


@strawberry.type(description="What indicatorsUpsert did with one item.")
class IndicatorUpsertResult:
    index: int = strawberry.field(description="The item's position in `items`, from 0.")
    status: UpsertStatus
    id: strawberry.ID | None = strawberry.field(
        description="Your indicator it created, updated or found unchanged."
    )
    external_id: str | None
    code: ErrorCode | None = strawberry.field(description="When REJECTED: what kind of error.")
    field: str | None = strawberry.field(
        description="When REJECTED: the input at fault, e.g. `items[3].brandIds`."
    )
    message: str | None = strawberry.field(description="When REJECTED: why, in words.")


@strawberry.type
class IndicatorsUpsertPayload:
    errors: list[IndicatorsUpsertError]
    results: list[IndicatorUpsertResult] = strawberry.field(
        default_factory=list, description="One per item, in the order of `items`."
    )


def _domain_item(item: IndicatorUpsertItemInput) -> UpsertItem | AllianceError:
    try:
        return item.to_domain()
    except AllianceError as invalid:
        return invalid


async def resolve(info: Info, input: IndicatorsUpsertInput) -> IndicatorsUpsertPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        rules.require_batch_size(len(input.items), "items")
        results = await upsert_service.upsert_indicators(
            session,
            viewer=info.context.viewer,
            items=[_domain_item(item) for item in input.items],
        )
        fields = (item_fields(result, "items", nested=True) for result in results)
        return {"results": [IndicatorUpsertResult(**found) for found in fields]}

    payload: IndicatorsUpsertPayload = await run_mutation(
        info, payload=IndicatorsUpsertPayload, error=IndicatorsUpsertError, operation=operation
    )
    return payload


indicators_upsert = mutation_field(
    resolve,
    capability=requires(Scope.SYNC, Scope.INDICATORS_WRITE),
    description=f"Create or update up to {rules.MAX_BATCH} indicators of your member in one "
    "transaction, keyed on your external id (else on kind and value): one result per "
    "item; valid items are written even when others are rejected.",
    payload=IndicatorsUpsertPayload,
    error=IndicatorsUpsertError,
)
