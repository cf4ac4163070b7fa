"""Enums of the domain registered as GraphQL enums, once, under their GraphQL names.

`strawberry.enum` marks the domain's own classes, so resolvers return domain values as
they are and the type checker sees ordinary enums.
"""

from __future__ import annotations

import strawberry

from alliance.errors import ErrorCode
from alliance.members.models import DataDisposition
from alliance.users.models import UserStatus
from sharing import MemberStatus, PrincipalKind, Role, Scope

for _enum in (MemberStatus, DataDisposition, UserStatus, Role, PrincipalKind, Scope, ErrorCode):
    strawberry.enum(_enum)

__all__ = [
    "DataDisposition",
    "ErrorCode",
    "MemberStatus",
    "PrincipalKind",
    "Role",
    "Scope",
    "UserStatus",
]
