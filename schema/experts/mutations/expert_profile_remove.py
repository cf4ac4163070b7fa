from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.experts import service as expert_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import to_global_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why expertProfileRemove failed.")
class ExpertProfileRemoveError(MutationError):
    pass


@strawberry.type
class ExpertProfileRemovePayload:
    errors: list[ExpertProfileRemoveError]
    removed_id: strawberry.ID | None = strawberry.field(
        default=None, description="The id of the profile removed."
    )


async def resolve(info: Info) -> ExpertProfileRemovePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        removed = await expert_service.remove_profile(session, viewer=info.context.viewer)
        return {"removed_id": strawberry.ID(to_global_id("ExpertProfile", removed))}

    payload: ExpertProfileRemovePayload = await run_mutation(
        info,
        payload=ExpertProfileRemovePayload,
        error=ExpertProfileRemoveError,
        operation=operation,
    )
    return payload


expert_profile_remove = mutation_field(
    resolve,
    capability=requires(Scope.EXPERTISE_WRITE),
    description=(
        "Opt out of the expert directory: your profile is deleted and leaves every view at "
        "once. Requests already sent to you stay yours to answer."
    ),
    payload=ExpertProfileRemovePayload,
    error=ExpertProfileRemoveError,
)
