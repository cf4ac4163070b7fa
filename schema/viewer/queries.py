from __future__ import annotations

from alliance.members import service as member_service
from alliance.users import service as user_service
from schema.capabilities import ANY_VIEWER, query_field
from schema.context import Info
from schema.members.types import MemberType
from schema.users.types import UserType
from schema.viewer.types import ViewerType


async def resolve_viewer(info: Info) -> ViewerType:
    viewer = info.context.viewer
    async with info.context.session() as session:
        members = await member_service.visible_by_ids(
            session, viewer=viewer, member_ids=[viewer.member_id] if viewer.member_id else []
        )
        users = await user_service.visible_by_ids(
            session, viewer=viewer, user_ids=[viewer.principal_id]
        )
    member = members.get(viewer.member_id) if viewer.member_id else None
    user = users.get(viewer.principal_id)
    return ViewerType(
        kind=viewer.kind,
        roles=sorted(viewer.roles),
        scopes=sorted(viewer.scopes),
        agreement_accepted=viewer.agreed,
        member=MemberType.from_model(member) if member else None,
        user=UserType.from_model(user) if user else None,
    )


viewer = query_field(resolve_viewer, capability=ANY_VIEWER, description="Who is calling.")
