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


@strawberry.type(description="Why userInvite failed.")
class UserInviteError(MutationError):
    pass


@strawberry.input
class UserInviteInput:
    member_id: strawberry.ID | None = strawberry.field(
        description="The member; null invites to the alliance secretariat (alliance admins)."
    )
    email: str
    roles: list[Role]
    display_name: str = ""


@strawberry.type
class UserInvitePayload:
    errors: list[UserInviteError]
    user: UserType | None = None


async def resolve(info: Info, input: UserInviteInput) -> UserInvitePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        member_id = input.member_id
        user = await user_service.invite(
            session,
            viewer=info.context.viewer,
            member_id=None
            if member_id is None
            else require_id(member_id, "Member", field="memberId"),
            email=input.email,
            roles=[Role(r) for r in input.roles],
            display_name=input.display_name,
        )
        return {"user": UserType.from_model(user)}

    payload: UserInvitePayload = await run_mutation(
        info, payload=UserInvitePayload, error=UserInviteError, operation=operation
    )
    return payload


user_invite = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Invite a person to your member (member admins) or to any member (alliance admins)."
    ),
    payload=UserInvitePayload,
    error=UserInviteError,
)
