from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.clients import service as client_service
from schema.capabilities import mutation_field, requires
from schema.clients.types import ClientType
from schema.context import Info
from schema.enums import Scope
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope as ScopeValue


@strawberry.type(description="Why clientCreate failed.")
class ClientCreateError(MutationError):
    pass


@strawberry.input
class ClientCreateInput:
    member_id: strawberry.ID | None = strawberry.field(
        description="The member; null registers a secretariat client (alliance admins)."
    )
    name: str
    scopes: list[Scope] = strawberry.field(
        description="At most what the member's admins may grant (no admin scopes)."
    )
    redirect_uris: list[str] = strawberry.field(
        default_factory=list,
        description="For apps used by people (authorization code + PKCE): exact https URIs.",
    )
    public: bool = strawberry.field(
        default=False, description="A browser or native app without a secret."
    )


@strawberry.type
class ClientCreatePayload:
    errors: list[ClientCreateError]
    client: ClientType | None = None
    client_secret: str | None = strawberry.field(
        default=None, description="Shown this once; only its hash is stored."
    )


async def resolve(info: Info, input: ClientCreateInput) -> ClientCreatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        member_id = input.member_id
        client, secret = await client_service.create(
            session,
            viewer=info.context.viewer,
            member_id=None
            if member_id is None
            else require_id(member_id, "Member", field="memberId"),
            name=input.name,
            scopes=[ScopeValue(s) for s in input.scopes],
            redirect_uris=input.redirect_uris,
            public=input.public,
        )
        return {"client": ClientType.from_model(client), "client_secret": secret}

    payload: ClientCreatePayload = await run_mutation(
        info, payload=ClientCreatePayload, error=ClientCreateError, operation=operation
    )
    return payload


client_create = mutation_field(
    resolve,
    capability=requires(ScopeValue.MEMBERS_MANAGE),
    description=(
        "Register an OAuth client for your member (member admins) or for the secretariat "
        "(alliance admins). The secret is in this payload only."
    ),
    payload=ClientCreatePayload,
    error=ClientCreateError,
)
