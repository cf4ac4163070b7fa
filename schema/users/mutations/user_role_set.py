from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.users import service as user_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import Role
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from schema.users.types import UserType
from sharing import Scope


@strawberry.type(description="Why userRoleSet failed.")
class UserRoleSetError(MutationError):
    pass


@strawberry.type
class UserRoleSetPayload:
    errors: list[UserRoleSetError]
    user: UserType | None = None


async def resolve(info: Info, id: strawberry.ID, roles: list[Role]) -> UserRoleSetPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        user = await user_service.set_roles(
            session,
            viewer=info.context.viewer,
            user_id=require_id(id, "User"),
            roles=[Role(r) for r in roles],
        )
        return {"user": UserType.from_model(user)}

    payload: UserRoleSetPayload = await run_mutation(
        info, payload=UserRoleSetPayload, error=UserRoleSetError, operation=operation
    )
    return payload


user_role_set = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Replace a user's roles (admins of the user's member; alliance admins for the "
        "secretariat's users)."
    ),
    payload=UserRoleSetPayload,
    error=UserRoleSetError,
)
