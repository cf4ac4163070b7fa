from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators import links as link_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id, to_global_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why linkRemove failed.")
class LinkRemoveError(MutationError):
    pass


@strawberry.type
class LinkRemovePayload:
    errors: list[LinkRemoveError]
    removed_id: strawberry.ID | None = None


async def resolve(info: Info, id: strawberry.ID) -> LinkRemovePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        removed = await link_service.remove(
            session, viewer=info.context.viewer, link_id=require_id(id, "Link")
        )
        return {"removed_id": strawberry.ID(to_global_id("Link", removed))}

    payload: LinkRemovePayload = await run_mutation(
        info, payload=LinkRemovePayload, error=LinkRemoveError, operation=operation
    )
    return payload


link_remove = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE),
    description="Remove a link your member made.",
    payload=LinkRemovePayload,
    error=LinkRemoveError,
)
