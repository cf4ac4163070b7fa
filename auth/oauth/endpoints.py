"""Revocation (RFC 7009) and introspection (RFC 7662) of our access and refresh tokens."""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint as BaseRevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint as BaseIntrospectionEndpoint

from alliance.oauth import service as oauth_service
from auth.oauth.clients import OAuthClient
from auth.oauth.context import current_session
from auth.oauth.grants import ANY_CLIENT, CONFIDENTIAL
from auth.oauth.records import AccessRecord, RefreshRecord, find_token
from sharing import Scope

Record = AccessRecord | RefreshRecord
TOKEN_TYPES = ("access_token", "refresh_token")


class UnsupportedTokenTypeError(OAuth2Error):
    """An unknown `token_type_hint` (RFC 7009 §2.2.1): a 400 like every error response
    of RFC 6749 §5.2 — authlib's own answers 401, which tells a client that authenticated
    correctly to authenticate again."""

    error = "unsupported_token_type"
    status_code = 400


def check_token_params(request: Any) -> None:
    """A `token` to look for, and a hint, if any, that names a kind of token we issue."""
    if not request.form.get("token"):
        raise InvalidRequestError("Missing 'token'.")
    hint = request.form.get("token_type_hint")
    if hint and hint not in TOKEN_TYPES:
        raise UnsupportedTokenTypeError(f"'token_type_hint' is one of: {', '.join(TOKEN_TYPES)}.")


class RevocationEndpoint(BaseRevocationEndpoint):
    """A client revokes its own tokens; a revoked access token fails everywhere at once."""

    CLIENT_AUTH_METHODS = ANY_CLIENT

    def check_params(self, request: Any, client: OAuthClient) -> None:
        check_token_params(request)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Record | None:
        return find_token(self.server.tokens, token_string, token_type_hint)

    def revoke_token(self, token: Record, request: Any) -> None:
        session = current_session()
        if isinstance(token, RefreshRecord):
            oauth_service.revoke_family(session, token.row.family_id)
        else:
            claims = token.claims
            oauth_service.revoke_access_token(session, claims.token_id, claims.expires_at)


class IntrospectionEndpoint(BaseIntrospectionEndpoint):
    """A confidential client introspects its own tokens; secretariat admin clients any."""

    CLIENT_AUTH_METHODS = CONFIDENTIAL

    def check_params(self, request: Any, client: OAuthClient) -> None:
        check_token_params(request)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Record | None:
        return find_token(self.server.tokens, token_string, token_type_hint)

    def check_permission(self, token: Record, client: OAuthClient, request: Any) -> bool:
        return token.check_client(client) or Scope.ALLIANCE_ADMIN in client.model.scopes

    def introspect_token(self, token: Record) -> dict[str, Any]:
        return token.introspection()
