from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.agreements import service as agreement_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.members.types import MemberType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why agreementAccept failed.")
class AgreementAcceptError(MutationError):
    pass


@strawberry.type
class AgreementAcceptPayload:
    errors: list[AgreementAcceptError]
    member: MemberType | None = None


async def resolve(info: Info, version: int) -> AgreementAcceptPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        member = await agreement_service.accept(
            session, viewer=info.context.viewer, version=version
        )
        return {"member": MemberType.from_model(member)}

    payload: AgreementAcceptPayload = await run_mutation(
        info, payload=AgreementAcceptPayload, error=AgreementAcceptError, operation=operation
    )
    return payload


agreement_accept = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description="Accept the current agreement version for your member (member admins).",
    payload=AgreementAcceptPayload,
    error=AgreementAcceptError,
)
