from __future__ import annotations

from alliance.members import service as member_service
from schema.capabilities import ANY_VIEWER, query_field
from schema.connection import Connection, connection_from_page
from schema.context import Info
from schema.members.types import MemberType


async def resolve_members(
    info: Info,
    first: int = 50,
    after: str | None = None,
) -> Connection[MemberType]:
    async with info.context.session() as session:
        page = await member_service.directory(
            session, viewer=info.context.viewer, first=first, after=after
        )
    return connection_from_page(page, MemberType.from_model)


members = query_field(
    resolve_members,
    capability=ANY_VIEWER,
    description=(
        "The member directory: name, region and brands of every active member, by name "
        "(alliance admins see every member, whatever its status). `first` is at most 100."
    ),
)
