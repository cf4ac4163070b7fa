from __future__ import annotations

import strawberry

from alliance.members import service as member_service
from schema.errors import MutationError
from schema.members.mutations.status import status_mutation
from schema.members.types import MemberType


@strawberry.type(description="Why memberActivate failed.")
class MemberActivateError(MutationError):
    pass


@strawberry.type
class MemberActivatePayload:
    errors: list[MemberActivateError]
    member: MemberType | None = None


member_activate = status_mutation(
    payload=MemberActivatePayload,
    error=MemberActivateError,
    transition=lambda session, viewer, member_id: member_service.activate(
        session, viewer=viewer, member_id=member_id
    ),
    description=(
        "INVITED → ACTIVE, once the member has accepted the current agreement (alliance admins)."
    ),
)
