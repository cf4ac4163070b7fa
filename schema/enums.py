"""Enums of the domain as GraphQL enums (one place, so each is declared once)."""

from __future__ import annotations

import strawberry

from alliance.members.models import DataDisposition as DomainDataDisposition
from alliance.users.models import UserStatus as DomainUserStatus
from sharing import MemberStatus as DomainMemberStatus
from sharing import PrincipalKind as DomainPrincipalKind
from sharing import Role as DomainRole
from sharing import Scope as DomainScope

MemberStatus = strawberry.enum(DomainMemberStatus, name="MemberStatus")
DataDisposition = strawberry.enum(DomainDataDisposition, name="DataDisposition")
UserStatus = strawberry.enum(DomainUserStatus, name="UserStatus")
Role = strawberry.enum(DomainRole, name="Role")
PrincipalKind = strawberry.enum(DomainPrincipalKind, name="PrincipalKind")
Scope = strawberry.enum(DomainScope, name="Scope")
