from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.users import service as user_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from schema.users.types import UserType
from sharing import Scope


@strawberry.type(description="Why userDeactivate failed.")
class UserDeactivateError(MutationError):
    pass


@strawberry.type
class UserDeactivatePayload:
    errors: list[UserDeactivateError]
    user: UserType | None = None


async def resolve(info: Info, id: strawberry.ID) -> UserDeactivatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        user = await user_service.deactivate(
            session, viewer=info.context.viewer, user_id=require_id(id, "User")
        )
        return {"user": UserType.from_model(user)}

    payload: UserDeactivatePayload = await run_mutation(
        info, payload=UserDeactivatePayload, error=UserDeactivateError, operation=operation
    )
    return payload


user_deactivate = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Deactivate a user: their tokens stop working at once (admins of their member; "
        "alliance admins too, in an emergency)."
    ),
    payload=UserDeactivatePayload,
    error=UserDeactivateError,
)
