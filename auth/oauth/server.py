"""authlib's `AuthorizationServer` on Starlette, issuing our RFC 9068 access tokens.

authlib is synchronous. Each OAuth request runs authlib inside `AsyncSession.run_sync`:
its hooks use an ordinary synchronous `Session` whose I/O SQLAlchemy awaits on the event
loop through its greenlet bridge — no thread, no second engine, one transaction per
request, committed even when authlib answers with an error (a detected refresh-token
reuse must stay revoked).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Iterable
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidClientError,
    InvalidScopeError,
    JsonRequest,
)
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from alliance.clients.service import hash_secret
from alliance.db import Database, utcnow
from alliance.oauth import service as oauth_service
from alliance.principals import system_by_client_id
from alliance.users.models import User
from auth.grants import granted_scopes
from auth.oauth.clients import OAuthClient
from auth.oauth.context import bind_session, current_session, unbind_session
from auth.oauth.endpoints import IntrospectionEndpoint, RevocationEndpoint
from auth.oauth.grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    RefreshTokenGrant,
    S256CodeChallenge,
)
from auth.oauth.requests import StarletteOAuth2Request
from auth.tokens import TokenIssuer
from sharing import PrincipalKind, Scope, scopes_for_roles

KNOWN_SCOPES = frozenset(s.value for s in Scope)
NO_SECRET_HASH = "0" * 64  # what an unknown client's secret is compared with


def _scopes(scope: str | None) -> list[Scope] | None:
    return [Scope(s) for s in scope.split() if s in KNOWN_SCOPES] if scope else None


class AllianceAuthorizationServer(AuthorizationServer):
    def __init__(self, *, database: Database, tokens: TokenIssuer, refresh_ttl: int) -> None:
        super().__init__(scopes_supported=sorted(KNOWN_SCOPES))
        self.database = database
        self.tokens = tokens
        self.refresh_ttl = refresh_ttl
        self.register_token_generator("default", self.generate_bearer_token)
        self.register_grant(ClientCredentialsGrant)
        self.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(RevocationEndpoint)
        self.register_endpoint(IntrospectionEndpoint)

    async def respond(self, call: Callable[[], Response]) -> Response:
        """Run one synchronous authlib call in a transaction and return its response."""

        def run(session: Session) -> Response:
            token = bind_session(session)
            try:
                return call()
            finally:
                unbind_session(token)

        async with self.database.session() as session:
            response = await session.run_sync(run)
            await session.commit()
        return response

    # -- authlib's hooks -----------------------------------------------------

    def query_client(self, client_id: str) -> OAuthClient | None:
        """The client if it may authenticate now (`alliance.principals`), else None."""
        client, standing = system_by_client_id(current_session(), client_id)
        if client is None or not standing.allowed:
            # As much work as checking a wrong secret: the timing does not tell them apart.
            hmac.compare_digest(NO_SECRET_HASH, hash_secret(client_id))
            return None
        return OAuthClient(client)

    def authenticate_client(self, request: Any, methods: Any, endpoint: str = "token") -> Any:
        """The authenticated client, or `invalid_client` with one description whatever
        failed — unknown id, wrong secret, revoked client, shut-out member — so that the
        answer does not tell which client ids exist. 401 when the client tried HTTP Basic
        (RFC 6749 §5.2), 400 otherwise."""
        try:
            return super().authenticate_client(request, methods, endpoint)
        except InvalidClientError as error:
            basic = "authorization" in request.headers
            raise InvalidClientError(
                description="Client authentication failed.", status_code=401 if basic else 400
            ) from error

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        """Remember a refresh token in its family (a new family for a new code)."""
        if "refresh_token" not in token:
            return
        if request.refresh_token is not None:
            family_id = request.refresh_token.row.family_id
        else:
            family_id = request.authorization_code.row.id
        claims = self.tokens.verify(token["access_token"])
        oauth_service.save_refresh_token(
            current_session(),
            token=token["refresh_token"],
            family_id=family_id,
            client_id=request.client.model.id,
            user_id=request.user.id,
            scope=token["scope"],
            access_token_id=claims.token_id,
            access_expires_at=claims.expires_at,
            expires_at=utcnow() + dt.timedelta(seconds=self.refresh_ttl),
        )

    def generate_bearer_token(
        self,
        grant_type: str,
        client: OAuthClient,
        user: User | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """Our access token: the client's scopes, and for a person also their roles'."""
        allowed = frozenset(Scope(s) for s in client.model.scopes)
        if user is not None:
            allowed &= scopes_for_roles(user.role_set)
        scopes = granted_scopes(_scopes(scope), allowed)
        if scope and not scopes:
            raise InvalidScopeError("None of the requested scopes can be granted.")
        kind, principal = (
            (PrincipalKind.USER, user.id) if user else (PrincipalKind.CLIENT, client.model.id)
        )
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": self.tokens.mint(
                kind=kind, principal_id=principal, client_id=client.client_id, scopes=scopes
            ),
            "expires_in": self.tokens.ttl,
            "scope": " ".join(sorted(scopes)),
        }
        if include_refresh_token:
            token["refresh_token"] = oauth_service.new_secret()
        return token

    def revocation_response(self, request: StarletteOAuth2Request) -> Response:
        """The answer of the revocation endpoint (RFC 7009)."""
        response: Response = self.create_endpoint_response("revocation", request)
        return response

    def introspection_response(self, request: StarletteOAuth2Request) -> Response:
        """The answer of the introspection endpoint (RFC 7662)."""
        response: Response = self.create_endpoint_response("introspection", request)
        return response

    def with_issuer(self, response: Response) -> Response:
        """An authorization response, success or error, naming this server in `iss`
        (RFC 9207), so that an app using several servers can tell whose code it got."""
        location = response.headers.get("location")
        if location:
            response.headers["location"] = add_params_to_uri(location, {"iss": self.tokens.issuer})
        return response

    # -- the framework integration -------------------------------------------

    def create_oauth2_request(self, request: Any) -> StarletteOAuth2Request:
        if isinstance(request, StarletteOAuth2Request):
            return request
        raise TypeError("Build the request with auth.oauth.requests.oauth2_request first.")

    def create_json_request(self, request: Any) -> JsonRequest:
        # authlib asks for this only for JSON endpoints, and we register none.
        raise TypeError("No JSON endpoints are registered.")

    def handle_response(
        self, status: int, body: Any, headers: Iterable[tuple[str, str]]
    ) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body or b"", status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's signals; nothing listens (the audit trail records what matters)."""
