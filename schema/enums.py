"""Enums of the domain registered as GraphQL enums, once, under their GraphQL names.

`strawberry.enum` marks the domain's own classes, so resolvers return domain values as
they are and the type checker sees ordinary enums.
"""

from __future__ import annotations

import enum

import strawberry

from alliance.contact_requests.models import ContactRequestStatus, ContactTarget
from alliance.errors import ErrorCode
from alliance.experts.vocabulary import ExpertTopic
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.vocabulary import (
    EvidenceLevel,
    IndicatorOrder,
    IndicatorStatus,
    LinkType,
    Purpose,
    RemoveReason,
    RetractStatus,
    SightingKind,
    UpsertStatus,
)
from alliance.members.models import DataDisposition
from alliance.users.models import UserStatus
from sharing import MemberStatus, PrincipalKind, Role, Scope
from sharing.audience import Tlp
from sharing.policy import CeilingMode, RecordType

_ENUMS: tuple[type[enum.Enum], ...] = (
    MemberStatus,
    DataDisposition,
    UserStatus,
    Role,
    PrincipalKind,
    Scope,
    ErrorCode,
    IndicatorKind,
    Platform,
    EvidenceLevel,
    IndicatorOrder,
    IndicatorStatus,
    Purpose,
    RemoveReason,
    SightingKind,
    Tlp,
    CeilingMode,
    RecordType,
    ContactRequestStatus,
    ContactTarget,
    ExpertTopic,
)
for _enum in _ENUMS:
    strawberry.enum(_enum)
strawberry.enum(LinkType, name="LinkKind")
strawberry.enum(UpsertStatus, name="IndicatorUpsertStatus")
strawberry.enum(RetractStatus, name="IndicatorRetractStatus")

__all__ = [
    "CeilingMode",
    "ContactRequestStatus",
    "ContactTarget",
    "DataDisposition",
    "ErrorCode",
    "EvidenceLevel",
    "ExpertTopic",
    "IndicatorKind",
    "IndicatorOrder",
    "IndicatorStatus",
    "LinkType",
    "MemberStatus",
    "Platform",
    "PrincipalKind",
    "Purpose",
    "RecordType",
    "RemoveReason",
    "RetractStatus",
    "Role",
    "Scope",
    "SightingKind",
    "Tlp",
    "UpsertStatus",
    "UserStatus",
]
