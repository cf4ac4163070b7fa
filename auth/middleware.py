"""Starlette authentication: the bearer token becomes a `Viewer` once, in middleware."""

from __future__ import annotations

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from alliance.db import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, Database, is_unavailable
from alliance.request_session import RequestSession
from auth.principals import viewer_for
from auth.tokens import InvalidToken, TokenIssuer
from sharing import Viewer


class ViewerUser(BaseUser):
    """Starlette's view of an authenticated `Viewer`."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return str(self.viewer.principal_id)


# Where a request's one session waits in the ASGI scope (see `RequestSessions`).
REQUEST_SESSION = "alliance.request_session"


def request_session_of(scope: Scope) -> RequestSession | None:
    """The request's session that `RequestSessions` put in `scope`, if any."""
    found = scope.get(REQUEST_SESSION)
    return found if isinstance(found, RequestSession) else None


class RequestSessions:
    """Gives each request one session (opened only if something reads), closed after the
    response: the bearer check and the GraphQL resolvers share it, one transaction."""

    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = self.database.request_session()
        scope[REQUEST_SESSION] = request
        try:
            await self.app(scope, receive, send)
        finally:
            await request.close()


# The OAuth endpoints authenticate clients themselves (HTTP Basic, RFC 6749 §2.3.1).
CLIENT_AUTHENTICATED_PREFIX = "/oauth/"


class DatabaseUnavailable(AuthenticationError):
    """The principal could not be checked: the database is unreachable (answered 503)."""


class BearerTokenBackend(AuthenticationBackend):
    """`Authorization: Bearer <access token>`; no header means anonymous."""

    def __init__(self, database: Database, tokens: TokenIssuer) -> None:
        self.database = database
        self.tokens = tokens

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None or conn.url.path.startswith(CLIENT_AUTHENTICATED_PREFIX):
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("Use `Authorization: Bearer <access token>`.")
        try:
            claims = self.tokens.verify(token.strip())
            # On the request's own session when there is one: the check and the reads that
            # follow are one transaction. Checked at every request, never cached, so a
            # revocation bites at the next request on every instance.
            request = request_session_of(conn.scope)
            if request is None:  # a websocket: no transaction held open for its lifetime
                async with self.database.session() as session:
                    viewer = await viewer_for(session, claims)
            else:
                async with request.reading() as session:
                    viewer = await viewer_for(session, claims)
                request.bind(viewer)
        except InvalidToken as error:
            raise AuthenticationError(str(error)) from error
        except Exception as error:
            if is_unavailable(error):
                raise DatabaseUnavailable from error
            raise
        return AuthCredentials(sorted(viewer.scopes)), ViewerUser(viewer)


def _challenge(message: str) -> str:
    # RFC 6750 §3: error_description holds %x20-21 / %x23-5B / %x5D-7E only.
    described = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in message)
    return f'Bearer error="invalid_token", error_description="{described}"'


def unauthorized(message: str = "Authentication required.") -> Response:
    """A 401 that says nothing but why, in the body and in the RFC 6750 challenge."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": _challenge(message)},
    )


def unavailable() -> Response:
    """A 503 telling the caller when to retry, in GraphQL's shape, with no detail."""
    return JSONResponse(
        {"errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": "UNAVAILABLE"}}]},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def on_auth_error(_conn: HTTPConnection, error: Exception) -> Response:
    if isinstance(error, DatabaseUnavailable):
        return unavailable()
    return unauthorized(str(error))
