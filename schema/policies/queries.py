from __future__ import annotations

import strawberry

from alliance.errors import NotFound
from alliance.policies import service as policy_service
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.ids import parse_global_id
from schema.policies.types import MemberPolicyType
from sharing import Scope


async def resolve_member_policy(info: Info, member_id: strawberry.ID) -> MemberPolicyType | None:
    parsed = parse_global_id(str(member_id))
    if parsed is None or parsed[0] != "Member":
        return None
    try:
        async with info.context.session() as session:
            policy, version = await policy_service.policy_of(
                session, viewer=info.context.viewer, member_id=parsed[1]
            )
    except NotFound:
        return None
    return MemberPolicyType.from_domain(policy, version)


member_policy = query_field(
    resolve_member_policy,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Your own member's current sharing policy (member admins); null for any other member."
    ),
)
