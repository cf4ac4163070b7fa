from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.members import service as member_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.members.types import MemberType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why memberInvite failed.")
class MemberInviteError(MutationError):
    pass


@strawberry.input(description="A rights holder to invite into the alliance.")
class MemberInviteInput:
    legal_name: str
    region: str = strawberry.field(description="Region code, e.g. EU, AMER, CN, APAC.")


@strawberry.type
class MemberInvitePayload:
    errors: list[MemberInviteError]
    member: MemberType | None = None


async def resolve(info: Info, input: MemberInviteInput) -> MemberInvitePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        member = await member_service.invite(
            session,
            viewer=info.context.viewer,
            legal_name=input.legal_name,
            region_code=input.region,
        )
        return {"member": MemberType.from_model(member)}

    payload: MemberInvitePayload = await run_mutation(
        info, payload=MemberInvitePayload, error=MemberInviteError, operation=operation
    )
    return payload


member_invite = mutation_field(
    resolve,
    capability=requires(Scope.ALLIANCE_ADMIN),
    description="Invite a rights holder; it starts INVITED (alliance admins).",
    payload=MemberInvitePayload,
    error=MemberInviteError,
)
