from __future__ import annotations

import strawberry

from alliance.members import service as member_service
from schema.errors import MutationError
from schema.members.mutations.status import status_mutation
from schema.members.types import MemberType


@strawberry.type(description="Why memberSuspend failed.")
class MemberSuspendError(MutationError):
    pass


@strawberry.type
class MemberSuspendPayload:
    errors: list[MemberSuspendError]
    member: MemberType | None = None


member_suspend = status_mutation(
    payload=MemberSuspendPayload,
    error=MemberSuspendError,
    transition=lambda session, viewer, member_id: member_service.suspend(
        session, viewer=viewer, member_id=member_id
    ),
    description=(
        "ACTIVE → SUSPENDED: the member's people and systems are refused at once "
        "and it reads nothing (alliance admins)."
    ),
)
