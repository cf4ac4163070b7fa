from __future__ import annotations

import strawberry

from alliance.members import service as member_service
from schema.errors import MutationError
from schema.members.mutations.status import status_mutation
from schema.members.types import MemberType


@strawberry.type(description="Why memberReinstate failed.")
class MemberReinstateError(MutationError):
    pass


@strawberry.type
class MemberReinstatePayload:
    errors: list[MemberReinstateError]
    member: MemberType | None = None


member_reinstate = status_mutation(
    payload=MemberReinstatePayload,
    error=MemberReinstateError,
    transition=lambda session, viewer, member_id: member_service.reinstate(
        session, viewer=viewer, member_id=member_id
    ),
    description="SUSPENDED → ACTIVE (alliance admins).",
)
