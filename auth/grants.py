"""Which scopes a principal gets in a token, and minting it (CLI now, OAuth server next)."""

from __future__ import annotations

from collections.abc import Iterable

from alliance.clients.models import Client
from alliance.principals import CLI_CLIENT_ID
from alliance.users.models import User
from auth.tokens import TokenIssuer
from sharing import PrincipalKind, Scope, scopes_for_roles


def granted_scopes(
    requested: Iterable[Scope] | None, allowed: frozenset[Scope]
) -> frozenset[Scope]:
    """The requested scopes the principal may hold; all it may hold when none are requested."""
    return allowed if requested is None else frozenset(requested) & allowed


def user_token(
    tokens: TokenIssuer,
    user: User,
    *,
    client_id: str = CLI_CLIENT_ID,
    requested: Iterable[Scope] | None = None,
    ttl: int | None = None,
) -> str:
    """An access token for a person, with at most the scopes their roles allow."""
    scopes = granted_scopes(requested, scopes_for_roles(user.role_set))
    return tokens.mint(
        kind=PrincipalKind.USER, principal_id=user.id, client_id=client_id, scopes=scopes, ttl=ttl
    )


def client_token(
    tokens: TokenIssuer,
    client: Client,
    *,
    requested: Iterable[Scope] | None = None,
    ttl: int | None = None,
) -> str:
    """An access token for a member system, with at most its registered scopes."""
    scopes = granted_scopes(requested, frozenset(Scope(s) for s in client.scopes))
    return tokens.mint(
        kind=PrincipalKind.CLIENT,
        principal_id=client.id,
        client_id=client.client_id,
        scopes=scopes,
        ttl=ttl,
    )
