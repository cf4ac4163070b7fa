from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.brands import service as brand_service
from schema.brands.types import BrandType
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.input(description="A registered trademark.")
class TrademarkInput:
    office: str
    registration_number: str
    nice_classes: list[int]

    def to_domain(self) -> brand_service.Trademark:
        return brand_service.Trademark(
            office=self.office,
            registration_number=self.registration_number,
            nice_classes=tuple(self.nice_classes),
        )


@strawberry.type(description="Why brandCreate failed.")
class BrandCreateError(MutationError):
    pass


@strawberry.input
class BrandCreateInput:
    member_id: strawberry.ID
    name: str
    trademarks: list[TrademarkInput] = strawberry.field(default_factory=list)
    product_categories: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class BrandCreatePayload:
    errors: list[BrandCreateError]
    brand: BrandType | None = None


async def resolve(info: Info, input: BrandCreateInput) -> BrandCreatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        brand = await brand_service.create(
            session,
            viewer=info.context.viewer,
            member_id=require_id(input.member_id, "Member", field="memberId"),
            name=input.name,
            trademarks=[t.to_domain() for t in input.trademarks],
            product_categories=input.product_categories,
        )
        return {"brand": BrandType.from_model(brand)}

    payload: BrandCreatePayload = await run_mutation(
        info, payload=BrandCreatePayload, error=BrandCreateError, operation=operation
    )
    return payload


brand_create = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description="Add a brand to your member (member admins; alliance admins for any member).",
    payload=BrandCreatePayload,
    error=BrandCreateError,
)
