from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators import links as link_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import LinkType
from schema.errors import MutationError
from schema.ids import require_id
from schema.indicators.types import LinkObject
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why linkCreate failed.")
class LinkCreateError(MutationError):
    pass


@strawberry.input(description="A relation between two indicators you may see.")
class LinkCreateInput:
    source_id: strawberry.ID
    target_id: strawberry.ID
    kind: LinkType
    note: str | None = None


@strawberry.type
class LinkCreatePayload:
    errors: list[LinkCreateError]
    link: LinkObject | None = None


async def resolve(info: Info, input: LinkCreateInput) -> LinkCreatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        link = await link_service.create(
            session,
            viewer=viewer,
            source_id=require_id(input.source_id, "Indicator", field="sourceId"),
            target_id=require_id(input.target_id, "Indicator", field="targetId"),
            link_type=input.kind,
            note=input.note,
        )
        return {"link": LinkObject.from_model(link, viewer.member_id)}

    payload: LinkCreatePayload = await run_mutation(
        info, payload=LinkCreatePayload, error=LinkCreateError, operation=operation
    )
    return payload


link_create = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE),
    description="Link two indicators you may see (same operator, shared payment account, ...).",
    payload=LinkCreatePayload,
    error=LinkCreateError,
)
