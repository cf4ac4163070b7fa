from __future__ import annotations

import strawberry

from alliance.members import service as member_service
from alliance.users import service as user_service
from schema.context import Info
from schema.enums import PrincipalKind, Role, Scope
from schema.members.types import MemberType
from schema.users.types import UserType
from sharing import Viewer


@strawberry.type(name="Viewer", description="Who is calling, and what they may do.")
class ViewerType:
    kind: PrincipalKind
    roles: list[Role]
    scopes: list[Scope] = strawberry.field(
        description="Effective scopes: the token's, narrowed to what the roles allow."
    )
    agreement_accepted: bool = strawberry.field(
        description="Whether your member has accepted the current agreement."
    )
    viewer: strawberry.Private[Viewer]

    # Read only when asked for: `{ viewer { kind } }` costs the principal check alone.
    @strawberry.field(description="Your member; null for the secretariat.")  # type: ignore[untyped-decorator]
    async def member(self, info: Info) -> MemberType | None:
        if self.viewer.member_id is None:
            return None
        async with info.context.session() as session:
            found = await member_service.visible_by_ids(
                session, viewer=self.viewer, member_ids=[self.viewer.member_id]
            )
        member = found.get(self.viewer.member_id)
        return MemberType.from_model(member) if member else None

    @strawberry.field(description="You, when a person is calling.")  # type: ignore[untyped-decorator]
    async def user(self, info: Info) -> UserType | None:
        async with info.context.session() as session:
            found = await user_service.visible_by_ids(
                session, viewer=self.viewer, user_ids=[self.viewer.principal_id]
            )
        user = found.get(self.viewer.principal_id)
        return UserType.from_model(user) if user else None

    @classmethod
    def of(cls, viewer: Viewer) -> ViewerType:
        return cls(
            kind=viewer.kind,
            roles=sorted(viewer.roles),
            scopes=sorted(viewer.scopes),
            agreement_accepted=viewer.agreed,
            viewer=viewer,
        )
