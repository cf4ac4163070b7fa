"""The ASGI application: GraphQL, discovery documents and health, behind authentication."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from alliance.config import Environment, Settings
from alliance.db import RETRY_AFTER_SECONDS, Database, is_unavailable
from alliance.health import is_database_ready
from alliance.identity_providers.secret_box import SecretBox
from alliance.indicators.change_signal import ChangeSignal
from alliance.policies.reapply import ReapplyOptions, sweep_forever
from alliance.ratelimit import Rate, open_buckets
from api.attachments import is_upload
from api.attachments import routes as attachment_routes
from api.dev_login import routes as dev_login_routes
from api.graphiql import routes as graphiql_routes
from api.graphql import AllianceGraphQL, RequireViewer
from api.home import routes as home_routes
from api.limits import BodySizeLimit, TokenRequestLimit
from api.login import error_response
from api.login import routes as login_routes
from api.oauth import routes as oauth_routes
from api.query_strings import CleanQueryStrings
from api.taxii import auth_error as taxii_auth_error
from api.taxii import routes as taxii_routes
from auth.federation import Federation
from auth.forms import MalformedRequest
from auth.keys import KeyRing, ensure_key
from auth.middleware import BearerTokenBackend, RequestSessions, unavailable
from auth.oauth.server import AllianceAuthorizationServer
from auth.tokens import TokenIssuer
from schema.app_schema import build_schema
from schema.cost_limit import CostPolicy


async def malformed_request(_request: Request, exc: Exception) -> Response:
    """A parameter that is not clean UTF-8, anywhere outside GraphQL (RFC 6749 §5.2)."""
    response = error_response(400, "invalid_request", str(exc))
    response.headers["Cache-Control"] = "no-store"
    return response


async def database_unavailable(_request: Request, exc: Exception) -> Response:
    """503 with Retry-After while the database is unreachable; anything else stays a 500."""
    if not is_unavailable(exc):
        raise exc
    return unavailable()


def create_app(settings: Settings, *, database: Database | None = None) -> Starlette:
    """The service for `settings`; dev and test create a signing key when none exists."""
    settings.require_safe()
    if settings.environment is not Environment.PRODUCTION:
        ensure_key(settings.keys_dir)
    db = database or Database(settings.database_url)
    keys = KeyRing(settings.keys_dir)
    tokens = TokenIssuer(
        keys, issuer=settings.issuer, audience=settings.audience, ttl=settings.access_token_ttl
    )
    secret_box = SecretBox(settings.secret_key)
    buckets = open_buckets(settings.redis_url, prefix=settings.redis_prefix)
    reapply = ReapplyOptions(
        inline_limit=settings.reapply_inline_limit,
        batch_size=settings.reapply_batch_size,
        sweep_seconds=settings.reapply_sweep_seconds,
    )
    signal = ChangeSignal(db)
    graphql = AllianceGraphQL(
        build_schema(CostPolicy.from_settings(settings, buckets)),
        database=db,
        secret_box=secret_box,
        graphql_ide=None,  # RequireViewer serves our own page (api/graphiql.py)
        reapply=reapply,
        tokens=tokens,
        signal=signal,
    )
    federation = Federation(secret_box=secret_box, callback_url=f"{settings.issuer}/auth/callback")

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        if await is_database_ready(db):
            return JSONResponse({"database": True})
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse({"database": False}, status_code=503, headers=retry)

    oauth_server = AllianceAuthorizationServer(
        database=db, tokens=tokens, refresh_ttl=settings.refresh_token_ttl
    )

    token_limit = TokenRequestLimit(
        buckets, Rate(capacity=settings.token_burst, per_second=settings.token_rate)
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # Finishes policy re-applications a stopped instance left, then sweeps for more.
        sweeping = asyncio.create_task(
            sweep_forever(db, every=reapply.sweep_seconds, batch_size=reapply.batch_size)
        )
        yield
        sweeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeping
        await signal.close()
        await buckets.close()
        await db.dispose()

    app = Starlette(
        routes=[
            Route(
                "/graphql",
                RequireViewer(graphql, graphiql=settings.graphiql),
                methods=["GET", "POST"],
            ),
            # The same endpoint over WebSocket: the `changes` subscription.
            WebSocketRoute("/graphql", RequireViewer(graphql, graphiql=False)),
            *home_routes(settings),
            *(graphiql_routes() if settings.graphiql else []),
            *taxii_routes(),
            *attachment_routes(),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *oauth_routes(oauth_server, keys, settings.issuer, token_limit=token_limit),
            *login_routes(db, federation),
            # require_safe above refuses ALLIANCE_DEV_LOGIN in production.
            *(
                dev_login_routes(db, tokens, graphiql=settings.graphiql)
                if settings.dev_login
                else []
            ),
        ],
        middleware=[
            # First, so that nothing reads a body over the limit.
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, exempt=is_upload),
            Middleware(CleanQueryStrings),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="alliance_session",
                max_age=8 * 3600,
                same_site="lax",
                https_only=settings.environment is Environment.PRODUCTION,
            ),
            # Before authentication: the bearer check runs on the request's session.
            Middleware(RequestSessions, database=db),
            Middleware(
                AuthenticationMiddleware,
                backend=BearerTokenBackend(db, tokens),
                on_error=taxii_auth_error,  # the service's own answer outside /taxii2/
            ),
        ],
        exception_handlers={
            MalformedRequest: malformed_request,
            OSError: database_unavailable,
            SQLAlchemyError: database_unavailable,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.tokens = tokens
    app.state.oauth_server = oauth_server
    app.state.buckets = buckets
    return app
