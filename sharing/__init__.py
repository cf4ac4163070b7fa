"""The policy engine: viewers, audiences, grants, the read predicate. Imports nothing of ours."""

from sharing.principals import (
    MEMBER_CLIENT_SCOPES,
    MEMBER_STATUSES_THAT_AUTHENTICATE,
    ROLE_SCOPES,
    SYSTEM_VIEWER,
    MemberStatus,
    PrincipalKind,
    Role,
    Scope,
    Viewer,
    scopes_for_roles,
)

__all__ = [
    "MEMBER_CLIENT_SCOPES",
    "MEMBER_STATUSES_THAT_AUTHENTICATE",
    "ROLE_SCOPES",
    "SYSTEM_VIEWER",
    "MemberStatus",
    "PrincipalKind",
    "Role",
    "Scope",
    "Viewer",
    "scopes_for_roles",
]
