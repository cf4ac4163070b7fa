"""Stored credentials as authlib's token and code interfaces see them.

A token is revoked, for introspection as for the API, when `alliance.principals` refuses
its principal: the same rule as the bearer check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, TokenMixin

from alliance.clients.models import Client
from alliance.oauth import service as oauth_service
from alliance.oauth.models import AuthorizationCode, RefreshToken
from alliance.principals import Credential, standing_sync
from auth.oauth.clients import OAuthClient
from auth.oauth.context import current_session
from auth.principals import credential_of
from auth.tokens import AccessClaims, InvalidToken, TokenIssuer
from sharing import PrincipalKind


class CodeRecord(AuthorizationCodeMixin):
    def __init__(self, row: AuthorizationCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str | None:
        return self.row.redirect_uri or None

    def get_scope(self) -> str:
        return self.row.scope


class RefreshRecord(TokenMixin):
    def __init__(self, row: RefreshToken) -> None:
        self.row = row

    def check_client(self, client: OAuthClient) -> bool:
        return client.model.id == self.row.client_id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((self.row.expires_at - self.row.created_at).total_seconds())

    def is_expired(self) -> bool:
        return oauth_service.is_expired(self.row.expires_at)

    def is_revoked(self) -> bool:
        row = self.row
        if row.revoked_at is not None or row.used_at is not None:
            return True
        person = Credential(kind=PrincipalKind.USER, principal_id=row.user_id, client=row.client_id)
        return not standing_sync(current_session(), person).allowed

    def introspection(self) -> dict[str, Any]:
        client = current_session().get(Client, self.row.client_id)
        return {
            "token_type": "refresh_token",
            "scope": self.row.scope,
            "client_id": client.client_id if client else None,
            "sub": f"user:{self.row.user_id}",
            "exp": int(oauth_service.as_utc(self.row.expires_at).timestamp()),
        }


class AccessRecord(TokenMixin):
    def __init__(self, claims: AccessClaims, issuer: TokenIssuer) -> None:
        self.claims = claims
        self.issuer = issuer

    def check_client(self, client: OAuthClient) -> bool:
        return client.client_id == self.claims.client_id

    def get_scope(self) -> str:
        return " ".join(sorted(self.claims.scopes))

    def get_expires_in(self) -> int:
        return max(0, int((self.claims.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))

    def is_expired(self) -> bool:
        return oauth_service.is_expired(self.claims.expires_at)

    def is_revoked(self) -> bool:
        return not standing_sync(current_session(), credential_of(self.claims)).allowed

    def introspection(self) -> dict[str, Any]:
        return {
            "token_type": "access_token",
            "scope": self.get_scope(),
            "client_id": self.claims.client_id,
            "sub": f"{self.claims.kind.value.lower()}:{self.claims.principal_id}",
            "exp": int(self.claims.expires_at.timestamp()),
            "iss": self.issuer.issuer,
            "aud": self.issuer.audience,
            "jti": self.claims.token_id,
        }


def _access_token(issuer: TokenIssuer, token: str) -> AccessRecord | None:
    try:
        return AccessRecord(issuer.verify(token), issuer)
    except InvalidToken:  # not one of our access tokens: it may still be a refresh token
        return None


def _refresh_token(issuer: TokenIssuer, token: str) -> RefreshRecord | None:
    row = oauth_service.find_refresh_token(current_session(), token)
    return RefreshRecord(row) if row is not None else None


def find_token(
    issuer: TokenIssuer, token: str, hint: str | None
) -> AccessRecord | RefreshRecord | None:
    """The access token (a valid JWT of ours) or stored refresh token `token` is.

    Both kinds are searched whatever the hint: it only says which to try first
    (RFC 7009 §2.1, RFC 7662 §2.1), so a wrong hint neither spares a token from
    revocation nor hides an active one.
    """
    finders: list[Callable[[TokenIssuer, str], AccessRecord | RefreshRecord | None]]
    finders = [_access_token, _refresh_token]
    if hint == "refresh_token":
        finders.reverse()
    for find in finders:
        record = find(issuer, token)
        if record is not None:
            return record
    return None
