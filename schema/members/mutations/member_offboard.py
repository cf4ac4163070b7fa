from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.members import service as member_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import DataDisposition
from schema.errors import MutationError
from schema.ids import require_id
from schema.members.types import MemberType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why memberOffboard failed.")
class MemberOffboardError(MutationError):
    pass


@strawberry.type
class MemberOffboardPayload:
    errors: list[MemberOffboardError]
    member: MemberType | None = None


async def resolve(
    info: Info,
    id: strawberry.ID,
    data_disposition: DataDisposition,
) -> MemberOffboardPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        member = await member_service.offboard(
            session,
            viewer=info.context.viewer,
            member_id=require_id(id, "Member"),
            disposition=DataDisposition(data_disposition),
        )
        return {"member": MemberType.from_model(member)}

    payload: MemberOffboardPayload = await run_mutation(
        info, payload=MemberOffboardPayload, error=MemberOffboardError, operation=operation
    )
    return payload


member_offboard = mutation_field(
    resolve,
    capability=requires(Scope.ALLIANCE_ADMIN),
    description=(
        "ACTIVE or SUSPENDED → OFFBOARDED. RETAIN keeps the member's records, attributed to "
        "a former member; WITHDRAW removes them from every other member's view (alliance admins)."
    ),
    payload=MemberOffboardPayload,
    error=MemberOffboardError,
)
