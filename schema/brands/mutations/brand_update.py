from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.brands import service as brand_service
from schema.brands.mutations.brand_create import TrademarkInput
from schema.brands.types import BrandType
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why brandUpdate failed.")
class BrandUpdateError(MutationError):
    pass


@strawberry.input(description="Fields left null keep their value.")
class BrandUpdateInput:
    id: strawberry.ID
    name: str | None = None
    trademarks: list[TrademarkInput] | None = None
    product_categories: list[str] | None = None


@strawberry.type
class BrandUpdatePayload:
    errors: list[BrandUpdateError]
    brand: BrandType | None = None


async def resolve(info: Info, input: BrandUpdateInput) -> BrandUpdatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        trademarks = input.trademarks
        brand = await brand_service.update(
            session,
            viewer=info.context.viewer,
            brand_id=require_id(input.id, "Brand"),
            name=input.name,
            trademarks=None if trademarks is None else [t.to_domain() for t in trademarks],
            product_categories=input.product_categories,
        )
        return {"brand": BrandType.from_model(brand)}

    payload: BrandUpdatePayload = await run_mutation(
        info, payload=BrandUpdatePayload, error=BrandUpdateError, operation=operation
    )
    return payload


brand_update = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description="Change a brand of your member (member admins; alliance admins for any member).",
    payload=BrandUpdatePayload,
    error=BrandUpdateError,
)
