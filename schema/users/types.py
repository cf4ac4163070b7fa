from __future__ import annotations

import strawberry
from strawberry import relay

from alliance.users.models import User
from schema.enums import Role, UserStatus


@strawberry.type(name="User", description="A person of a member or of the alliance secretariat.")
class UserType(relay.Node):
    id: relay.NodeID[str]
    email: str
    display_name: str
    roles: list[Role]
    status: UserStatus

    @classmethod
    def from_model(cls, user: User) -> UserType:
        return cls(
            id=str(user.id),
            email=user.email,
            display_name=user.display_name,
            roles=[Role(r) for r in user.roles],
            status=user.status,
        )
