from __future__ import annotations

import strawberry

from alliance.identity_providers import service as provider_service
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.identity_providers.types import IdentityProviderType
from schema.ids import require_id
from sharing import Scope


async def resolve_identity_provider(
    info: Info, member_id: strawberry.ID | None = None
) -> IdentityProviderType | None:
    owner = None if member_id is None else require_id(member_id, "Member", field="memberId")
    async with info.context.session() as session:
        found = await provider_service.of_member(
            session, viewer=info.context.viewer, member_id=owner
        )
    return IdentityProviderType.from_model(found) if found else None


identity_provider = query_field(
    resolve_identity_provider,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "The identity provider of a member you administer, or of the secretariat when "
        "`memberId` is null (alliance admins); null if none is registered or you may not see it."
    ),
)
