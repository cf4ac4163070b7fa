from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import AllianceError, ErrorCode, InvalidInput
from alliance.indicators import rules
from alliance.indicators.retraction import RetractItem, retract_many
from alliance.indicators.vocabulary import RetractStatus
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.indicators.item_results import item_fields
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why indicatorsRetract retracted nothing at all.")
class IndicatorsRetractError(MutationError):
    pass


@strawberry.input(description=f"At most {rules.MAX_BATCH} of your indicators: ids or externalIds.")
class IndicatorsRetractInput:
    ids: list[strawberry.ID] | None = None
    external_ids: list[str] | None = None


@strawberry.type(description="What indicatorsRetract did with one item.")
class IndicatorRetractResult:
    index: int = strawberry.field(description="The item's position in its list, from 0.")
    status: RetractStatus = strawberry.field(description="UNCHANGED: it was retracted already.")
    id: strawberry.ID | None
    external_id: str | None
    code: ErrorCode | None = strawberry.field(
        description="When REJECTED: NOT_FOUND (not your indicator, or none such) or "
        "ILLEGAL_TRANSITION (expired)."
    )
    field: str | None = strawberry.field(description="When REJECTED: e.g. `ids[3]`.")
    message: str | None


@strawberry.type
class IndicatorsRetractPayload:
    errors: list[IndicatorsRetractError]
    results: list[IndicatorRetractResult] = strawberry.field(
        default_factory=list, description="One per item, in the order given."
    )


def _items(input: IndicatorsRetractInput) -> tuple[str, list[RetractItem]]:
    if (input.ids is None) == (input.external_ids is None):
        raise InvalidInput("Give either ids or externalIds.", field="ids")
    if input.external_ids is not None:
        return "externalIds", list(input.external_ids)
    items: list[RetractItem] = []
    for given in input.ids or []:
        try:
            items.append(require_id(given, "Indicator", field=None))
        except AllianceError as invalid:
            items.append(invalid)
    return "ids", items


async def resolve(info: Info, input: IndicatorsRetractInput) -> IndicatorsRetractPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        name, items = _items(input)
        rules.require_batch_size(len(items), name)
        results = await retract_many(
            session, viewer=info.context.viewer, items=items, require=rules.require_bulk_writer
        )
        fields = (item_fields(result, name, nested=False) for result in results)
        return {"results": [IndicatorRetractResult(**found) for found in fields]}

    payload: IndicatorsRetractPayload = await run_mutation(
        info, payload=IndicatorsRetractPayload, error=IndicatorsRetractError, operation=operation
    )
    return payload


indicators_retract = mutation_field(
    resolve,
    capability=requires(Scope.SYNC, Scope.INDICATORS_WRITE),
    description=f"Retract up to {rules.MAX_BATCH} of your member's indicators in one "
    "transaction, by id or by external id: one result per item.",
    payload=IndicatorsRetractPayload,
    error=IndicatorsRetractError,
)
