from __future__ import annotations

import strawberry

from alliance.clients import service as client_service
from schema.capabilities import query_field, requires
from schema.clients.types import ClientType
from schema.context import Info
from schema.ids import require_id
from sharing import Scope


async def resolve_clients(info: Info, member_id: strawberry.ID | None = None) -> list[ClientType]:
    owner = None if member_id is None else require_id(member_id, "Member", field="memberId")
    async with info.context.session() as session:
        found = await client_service.of_member(session, viewer=info.context.viewer, member_id=owner)
    return [ClientType.from_model(c) for c in found]


clients = query_field(
    resolve_clients,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "The OAuth clients of a member you administer, or of the secretariat when `memberId` "
        "is null (alliance admins); empty for anyone else. Secrets are never shown here."
    ),
)
