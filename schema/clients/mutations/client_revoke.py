from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.clients import service as client_service
from schema.capabilities import mutation_field, requires
from schema.clients.types import ClientType
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why clientRevoke failed.")
class ClientRevokeError(MutationError):
    pass


@strawberry.type
class ClientRevokePayload:
    errors: list[ClientRevokeError]
    client: ClientType | None = None


async def resolve(info: Info, id: strawberry.ID) -> ClientRevokePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        client = await client_service.revoke(
            session, viewer=info.context.viewer, client_id=require_id(id, "Client")
        )
        return {"client": ClientType.from_model(client)}

    payload: ClientRevokePayload = await run_mutation(
        info, payload=ClientRevokePayload, error=ClientRevokeError, operation=operation
    )
    return payload


client_revoke = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Revoke a client: it gets no more tokens, and its tokens (and those of people "
        "using it) are refused on every instance at their next request. Alliance admins may "
        "revoke any member's client in an emergency."
    ),
    payload=ClientRevokePayload,
    error=ClientRevokeError,
)
