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


@strawberry.type(description="Why clientSecretRotate failed.")
class ClientSecretRotateError(MutationError):
    pass


@strawberry.type
class ClientSecretRotatePayload:
    errors: list[ClientSecretRotateError]
    client: ClientType | None = None
    client_secret: str | None = strawberry.field(
        default=None, description="The new secret, shown this once."
    )


async def resolve(info: Info, id: strawberry.ID) -> ClientSecretRotatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        client, secret = await client_service.rotate_secret(
            session, viewer=info.context.viewer, client_id=require_id(id, "Client")
        )
        return {"client": ClientType.from_model(client), "client_secret": secret}

    payload: ClientSecretRotatePayload = await run_mutation(
        info, payload=ClientSecretRotatePayload, error=ClientSecretRotateError, operation=operation
    )
    return payload


client_secret_rotate = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description="Give a client a new secret; the old one stops working at once.",
    payload=ClientSecretRotatePayload,
    error=ClientSecretRotateError,
)
