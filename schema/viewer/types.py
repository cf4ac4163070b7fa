from __future__ import annotations

import strawberry

from schema.enums import PrincipalKind, Role, Scope
from schema.members.types import MemberType
from schema.users.types import UserType


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
    member: MemberType | None = strawberry.field(
        description="Your member; null for the secretariat."
    )
    user: UserType | None = strawberry.field(description="You, when a person is calling.")
