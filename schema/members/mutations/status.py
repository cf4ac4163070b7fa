"""The member status mutations share one shape: input `id`, payload `member`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.members.models import Member
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.ids import require_id
from schema.members.types import MemberType
from schema.mutations import run_mutation
from sharing import Scope, Viewer

Transition = Callable[[AsyncSession, Viewer, uuid.UUID], Awaitable[Member]]


def status_mutation(
    *, payload: type[Any], error: type[Any], transition: Transition, description: str
) -> Any:
    """A mutation `(id: ID!) -> payload` that moves a member along its status machine."""

    async def resolve(info: Info, id: strawberry.ID) -> Any:
        async def operation(session: AsyncSession) -> dict[str, Any]:
            member_id = require_id(id, "Member")
            member = await transition(session, info.context.viewer, member_id)
            return {"member": MemberType.from_model(member)}

        return await run_mutation(info, payload=payload, error=error, operation=operation)

    resolve.__annotations__["return"] = payload
    return mutation_field(
        resolve,
        capability=requires(Scope.ALLIANCE_ADMIN),
        description=description,
        payload=payload,
        error=error,
    )
