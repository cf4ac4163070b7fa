"""From verified token claims to a `Viewer`, checked against the database on every request.

Status lives in the database, not in the token: a suspended member, a deactivated user or
a revoked client is refused at its next request, on every instance.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.agreements import service as agreement_service
from alliance.clients.models import Client
from alliance.members.models import Member
from alliance.oauth.models import RevokedAccessToken
from alliance.users.models import User, UserStatus
from auth.tokens import AccessClaims, InvalidToken
from sharing import (
    MEMBER_STATUSES_THAT_AUTHENTICATE,
    MemberStatus,
    PrincipalKind,
    Role,
    Scope,
    Viewer,
    scopes_for_roles,
)

CLI_CLIENT_ID = "alliance-cli"  # tokens minted by the operator's command line


async def _member_facts(
    session: AsyncSession, member: Member | None
) -> tuple[MemberStatus | None, bool]:
    if member is None:
        return None, False
    if member.status not in MEMBER_STATUSES_THAT_AUTHENTICATE:
        raise InvalidToken("The member of this token is not active.")
    current = await agreement_service.current_version(session)
    return member.status, current is not None and member.accepted_agreement_version == current


async def _require_app_active(session: AsyncSession, claims: AccessClaims) -> None:
    # A person's token issued to an app dies with the app's registration.
    if claims.client_id == CLI_CLIENT_ID:
        return
    client = await session.scalar(select(Client).where(Client.client_id == claims.client_id))
    if client is None or client.revoked_at is not None:
        raise InvalidToken("The client of this token is not active.")


async def _user_viewer(session: AsyncSession, claims: AccessClaims) -> Viewer:
    user = await session.get(User, claims.principal_id)
    if user is None or user.status is UserStatus.DEACTIVATED:
        raise InvalidToken("The user of this token is not active.")
    await _require_app_active(session, claims)
    member = await session.get(Member, user.member_id) if user.member_id else None
    status, agreed = await _member_facts(session, member)
    roles = frozenset(Role(r) for r in user.roles)
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=user.id,
        member_id=user.member_id,
        region=member.region_code if member else None,
        roles=roles,
        scopes=claims.scopes & scopes_for_roles(roles),
        member_status=status,
        agreed=agreed,
    )


async def _client_viewer(session: AsyncSession, claims: AccessClaims) -> Viewer:
    client = await session.get(Client, claims.principal_id)
    if client is None or client.revoked_at is not None or client.client_id != claims.client_id:
        raise InvalidToken("The client of this token is not active.")
    member = await session.get(Member, client.member_id) if client.member_id else None
    status, agreed = await _member_facts(session, member)
    return Viewer(
        kind=PrincipalKind.CLIENT,
        principal_id=client.id,
        member_id=client.member_id,
        region=member.region_code if member else None,
        roles=frozenset(),
        scopes=claims.scopes & frozenset(Scope(s) for s in client.scopes),
        member_status=status,
        agreed=agreed,
    )


async def viewer_for(session: AsyncSession, claims: AccessClaims) -> Viewer:
    """The viewer a valid token stands for, or `InvalidToken` if it was revoked or its
    principal is not active."""
    if await session.get(RevokedAccessToken, claims.token_id) is not None:
        raise InvalidToken("This token was revoked.")
    if claims.kind is PrincipalKind.USER:
        return await _user_viewer(session, claims)
    return await _client_viewer(session, claims)
