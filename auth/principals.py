"""From verified token claims to a `Viewer`, checked against the database on every request.

Status lives in the database, not in the token: a suspended member, a deactivated user, a
revoked client or app, or a revoked token is refused at its next request, on every
instance. Who may still authenticate is decided in one place, `alliance.principals`, which
the OAuth server, the command line and the demo login use too.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from alliance import principals as principal_service
from alliance.principals import Credential
from auth.tokens import AccessClaims, InvalidToken
from sharing import PrincipalKind, Viewer, scopes_for_roles


def credential_of(claims: AccessClaims) -> Credential:
    """What an access token names, as the principal rule reads it."""
    return Credential(
        kind=claims.kind,
        principal_id=claims.principal_id,
        client=claims.client_id,
        token_id=claims.token_id,
    )


async def viewer_for(session: AsyncSession, claims: AccessClaims) -> Viewer:
    """The viewer a valid token stands for, or `InvalidToken` if it was revoked or its
    principal may no longer authenticate (one statement)."""
    standing = await principal_service.standing(session, credential_of(claims))
    if standing.refusal is not None:
        raise InvalidToken(standing.refusal.value)
    is_user = claims.kind is PrincipalKind.USER
    allowed = scopes_for_roles(standing.roles) if is_user else standing.client_scopes
    return Viewer(
        kind=PrincipalKind.USER if is_user else PrincipalKind.CLIENT,
        principal_id=claims.principal_id,
        member_id=standing.member_id,
        region=standing.region,
        roles=standing.roles,
        scopes=claims.scopes & allowed,
        member_status=standing.member_status,
        agreed=standing.agreed,
    )
