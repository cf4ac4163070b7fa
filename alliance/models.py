"""Every ORM model, imported once so that the metadata (and alembic) sees them all."""

from alliance.agreements.models import Agreement, AgreementAcceptance
from alliance.articles.models import (
    Article,
    ArticleTag,
    ArticleVersion,
    Attachment,
    AttachmentBlob,
)
from alliance.audit.models import AuditEvent, ReadEvent
from alliance.brands.models import Brand
from alliance.clients.models import Client
from alliance.contact_requests.models import ContactRequest
from alliance.db import Base
from alliance.experts.models import ExpertFacet, ExpertProfile
from alliance.identity_providers.models import IdentityProvider
from alliance.indicators.change_log import indicator_changes
from alliance.indicators.models import ImageSegment, Indicator, Link, Sighting
from alliance.members.models import DataDisposition, Member
from alliance.oauth.models import AuthorizationCode, RefreshToken, RevokedAccessToken
from alliance.policies.models import MemberPolicyVersion
from alliance.regions.models import Region
from alliance.retention.models import AllianceSetting
from alliance.trends.models import (
    TrendRelease,
    TrendReleaseCell,
    TrendReleaseInput,
    TrendReport,
    TrendReportVersion,
)
from alliance.users.models import User, UserStatus

__all__ = [
    "Agreement",
    "AgreementAcceptance",
    "AllianceSetting",
    "Article",
    "ArticleTag",
    "ArticleVersion",
    "Attachment",
    "AttachmentBlob",
    "AuditEvent",
    "AuthorizationCode",
    "Base",
    "Brand",
    "Client",
    "ContactRequest",
    "DataDisposition",
    "ExpertFacet",
    "ExpertProfile",
    "IdentityProvider",
    "ImageSegment",
    "Indicator",
    "Link",
    "Member",
    "MemberPolicyVersion",
    "ReadEvent",
    "RefreshToken",
    "Region",
    "RevokedAccessToken",
    "Sighting",
    "TrendRelease",
    "TrendReleaseCell",
    "TrendReleaseInput",
    "TrendReport",
    "TrendReportVersion",
    "User",
    "UserStatus",
    "indicator_changes",
]
