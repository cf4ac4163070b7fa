"""Revocation (RFC 7009) and introspection (RFC 7662) of our access and refresh tokens."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc7009 import RevocationEndpoint as BaseRevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint as BaseIntrospectionEndpoint

from alliance.oauth import service as oauth_service
from auth.oauth.clients import OAuthClient
from auth.oauth.context import current_session
from auth.oauth.grants import ANY_CLIENT, CONFIDENTIAL
from auth.oauth.records import AccessRecord, RefreshRecord, find_token
from sharing import Scope

Record = AccessRecord | RefreshRecord


class RevocationEndpoint(BaseRevocationEndpoint):
    """A client revokes its own tokens; a revoked access token fails everywhere at once."""

    CLIENT_AUTH_METHODS = ANY_CLIENT

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

    def query_token(self, token_string: str, token_type_hint: str | None) -> Record | None:
        return find_token(self.server.tokens, token_string, token_type_hint)

    def check_permission(self, token: Record, client: OAuthClient, request: Any) -> bool:
        return token.check_client(client) or Scope.ALLIANCE_ADMIN in client.model.scopes

    def introspect_token(self, token: Record) -> dict[str, Any]:
        return token.introspection()
