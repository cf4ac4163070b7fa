from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.identity_providers import service as provider_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.identity_providers.types import IdentityProviderType
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why identityProviderRegister failed.")
class IdentityProviderRegisterError(MutationError):
    pass


@strawberry.input
class IdentityProviderRegisterInput:
    member_id: strawberry.ID | None = strawberry.field(
        description="The member; null registers the secretariat's provider (alliance admins)."
    )
    issuer: str = strawberry.field(description="The provider's issuer URL (https).")
    client_id: str
    client_secret: str = strawberry.field(description="Stored encrypted; never shown again.")
    email_domains: list[str] = strawberry.field(description="Email domains allowed to log in.")
    auto_provision: bool = strawberry.field(
        default=False, description="Let people not invited log in as analysts."
    )


@strawberry.type
class IdentityProviderRegisterPayload:
    errors: list[IdentityProviderRegisterError]
    identity_provider: IdentityProviderType | None = None


async def resolve(
    info: Info, input: IdentityProviderRegisterInput
) -> IdentityProviderRegisterPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        if info.context.secret_box is None:
            raise RuntimeError("the context has no secret box")
        member_id = input.member_id
        provider = await provider_service.register(
            session,
            viewer=info.context.viewer,
            secret_box=info.context.secret_box,
            member_id=None
            if member_id is None
            else require_id(member_id, "Member", field="memberId"),
            issuer=input.issuer,
            client_id=input.client_id,
            client_secret=input.client_secret,
            email_domains=input.email_domains,
            auto_provision=input.auto_provision,
        )
        return {"identity_provider": IdentityProviderType.from_model(provider)}

    payload: IdentityProviderRegisterPayload = await run_mutation(
        info,
        payload=IdentityProviderRegisterPayload,
        error=IdentityProviderRegisterError,
        operation=operation,
    )
    return payload


identity_provider_register = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Register or replace your member's OpenID provider (member admins), or the "
        "secretariat's (alliance admins). Alliance admins also register the first provider "
        "of an invited member; they never replace a member's."
    ),
    payload=IdentityProviderRegisterPayload,
    error=IdentityProviderRegisterError,
)
