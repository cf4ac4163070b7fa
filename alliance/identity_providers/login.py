"""Who a federated login is: an invited user of the provider's member, or a new analyst.

The provider vouches for an email address; we accept it only if the provider says it is
verified and it belongs to one of the member's allowed domains. A user is bound to the
first (issuer, subject) that logs in as them; another identity with the same email is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit import service as audit_service
from alliance.errors import Forbidden
from alliance.identity_providers.models import IdentityProvider
from alliance.members.models import Member
from alliance.users import service as user_service
from alliance.users.models import User, UserStatus
from sharing import (
    MEMBER_STATUSES_THAT_AUTHENTICATE,
    SYSTEM_VIEWER,
    PrincipalKind,
    Role,
    Viewer,
)


class LoginRefused(Forbidden):
    """The identity may not log in here; the message says why, for the person."""


@dataclass(frozen=True, slots=True)
class Identity:
    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str = ""


def _require_allowed_address(provider: IdentityProvider, identity: Identity) -> str:
    if identity.email_verified is not True:
        raise LoginRefused("Your identity provider has not verified your email address.")
    address = user_service.normalize_email(identity.email)
    if address.rsplit("@", 1)[1] not in provider.email_domains:
        raise LoginRefused("Your email domain is not allowed for this member.")
    return address


async def _require_member_open(session: AsyncSession, provider: IdentityProvider) -> None:
    if provider.member_id is None:
        return
    member = await session.get(Member, provider.member_id)
    if member is None or member.status not in MEMBER_STATUSES_THAT_AUTHENTICATE:
        raise LoginRefused("Your member's access to the alliance is suspended.")


def _require_same_person(user: User, provider: IdentityProvider, identity: Identity) -> None:
    if user.member_id != provider.member_id or user.status is UserStatus.DEACTIVATED:
        raise LoginRefused("This account cannot log in here.")
    bound = (user.external_issuer, user.external_subject)
    if user.external_subject is not None and bound != (identity.issuer, identity.subject):
        raise LoginRefused("Another identity is already bound to this account.")


async def _provision(
    session: AsyncSession, provider: IdentityProvider, identity: Identity, address: str
) -> User:
    if not provider.auto_provision:
        raise LoginRefused("You have not been invited; ask your member's admin.")
    role = Role.ANALYST if provider.member_id is not None else Role.READ_ONLY
    user = await user_service.invite(
        session,
        viewer=SYSTEM_VIEWER,
        member_id=provider.member_id,
        email=address,
        roles=[role],
        display_name=identity.name,
    )
    audit_service.record(
        session,
        viewer=SYSTEM_VIEWER,
        action="user.provision",
        target_type="User",
        target_id=user.id,
        target_member_id=provider.member_id,
        details={"issuer": identity.issuer},
    )
    return user


async def user_for_identity(
    session: AsyncSession, *, provider: IdentityProvider, identity: Identity
) -> User:
    """The user this login is, made ACTIVE and bound to the identity; `LoginRefused` if none."""
    address = _require_allowed_address(provider, identity)
    await _require_member_open(session, provider)
    user = await session.scalar(
        select(User).where(
            User.external_issuer == identity.issuer, User.external_subject == identity.subject
        )
    ) or await session.scalar(select(User).where(User.email == address))
    if user is None:
        user = await _provision(session, provider, identity, address)
    _require_same_person(user, provider, identity)
    user.external_issuer, user.external_subject = identity.issuer, identity.subject
    user.status = UserStatus.ACTIVE
    audit_service.record(
        session,
        viewer=_as_viewer(user),
        action="user.login",
        target_type="User",
        target_id=user.id,
        target_member_id=user.member_id,
        details={"issuer": identity.issuer},
    )
    return user


def _as_viewer(user: User) -> Viewer:
    # The person is the actor of their own login; no token exists yet, so no scopes.
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=user.id,
        member_id=user.member_id,
        region=None,
        roles=user.role_set,
        scopes=frozenset(),
    )
