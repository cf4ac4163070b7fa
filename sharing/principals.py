"""Who may be calling: roles, scopes, and the frozen `Viewer` every service takes.

`sharing/` imports nothing of ours, so the vocabulary of principals lives here and the
domain reuses it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass


class Role(enum.StrEnum):
    """A person's role within their member (or within the alliance secretariat)."""

    ANALYST = "ANALYST"
    MEMBER_ADMIN = "MEMBER_ADMIN"
    ALLIANCE_ADMIN = "ALLIANCE_ADMIN"
    READ_ONLY = "READ_ONLY"


class Scope(enum.StrEnum):
    """OAuth scopes (DESIGN §6)."""

    INDICATORS_READ = "indicators:read"
    INDICATORS_WRITE = "indicators:write"
    EXPERTISE_READ = "expertise:read"
    EXPERTISE_WRITE = "expertise:write"
    TRENDS_READ = "trends:read"
    TRENDS_WRITE = "trends:write"
    SYNC = "sync"
    MEMBERS_MANAGE = "members:manage"
    ALLIANCE_ADMIN = "alliance:admin"


READ_SCOPES = frozenset({Scope.INDICATORS_READ, Scope.EXPERTISE_READ, Scope.TRENDS_READ})
WRITE_SCOPES = frozenset(
    {Scope.INDICATORS_WRITE, Scope.EXPERTISE_WRITE, Scope.TRENDS_WRITE, Scope.SYNC}
)

# What each role may do. A call may do what its token's scopes and its user's roles both
# allow (DESIGN §6): the effective scopes are the intersection.
ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.READ_ONLY: READ_SCOPES,
    Role.ANALYST: READ_SCOPES | WRITE_SCOPES,
    Role.MEMBER_ADMIN: READ_SCOPES | WRITE_SCOPES | {Scope.MEMBERS_MANAGE},
    Role.ALLIANCE_ADMIN: READ_SCOPES | {Scope.MEMBERS_MANAGE, Scope.ALLIANCE_ADMIN},
}

# The widest set of scopes a member's admins may give one of the member's clients.
MEMBER_CLIENT_SCOPES = READ_SCOPES | WRITE_SCOPES


def scopes_for_roles(roles: frozenset[Role]) -> frozenset[Scope]:
    """The union of the scopes that `roles` allow."""
    allowed: set[Scope] = set()
    for role in roles:
        allowed |= ROLE_SCOPES[role]
    return frozenset(allowed)


class PrincipalKind(enum.StrEnum):
    USER = "USER"
    CLIENT = "CLIENT"
    SYSTEM = "SYSTEM"  # the operator's own command line; never reaches the API


class MemberStatus(enum.StrEnum):
    INVITED = "INVITED"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    OFFBOARDED = "OFFBOARDED"


# Statuses whose people and systems may authenticate: an invited member's admins log in to
# accept the agreement; suspended and offboarded members' tokens are refused.
MEMBER_STATUSES_THAT_AUTHENTICATE = frozenset({MemberStatus.INVITED, MemberStatus.ACTIVE})


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated caller, established once per request and passed to every service.

    `member_id` is None for the alliance secretariat and for the system principal.
    `scopes` are already effective: the token's scopes intersected with what the
    principal's roles (or the client's registration) allow.
    """

    kind: PrincipalKind
    principal_id: uuid.UUID
    member_id: uuid.UUID | None
    region: str | None
    roles: frozenset[Role]
    scopes: frozenset[Scope]
    member_status: MemberStatus | None = None
    agreed: bool = False

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes

    @property
    def is_system(self) -> bool:
        return self.kind is PrincipalKind.SYSTEM

    @property
    def is_alliance_admin(self) -> bool:
        return Scope.ALLIANCE_ADMIN in self.scopes

    @property
    def can_read_shared(self) -> bool:
        """Whether this viewer may read other members' data at all (DESIGN §3, invariant 5)."""
        return self.member_status is MemberStatus.ACTIVE and self.agreed


SYSTEM_VIEWER = Viewer(
    kind=PrincipalKind.SYSTEM,
    principal_id=uuid.UUID(int=0),
    member_id=None,
    region=None,
    roles=frozenset({Role.ALLIANCE_ADMIN}),
    scopes=frozenset(Scope),
)
