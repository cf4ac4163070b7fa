"""OAuth endpoints: token, authorize, revoke, introspect, metadata and the public keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from alliance.users.models import User
from api.limits import TokenRequestLimit
from auth.keys import KeyRing
from auth.oauth.grants import active_user
from auth.oauth.metadata import authorization_server_metadata
from auth.oauth.requests import (
    StarletteOAuth2Request,
    oauth2_request,
    require_body_parameters,
)
from auth.oauth.server import AllianceAuthorizationServer

SESSION_USER = "user_id"


def _authorize(
    server: AllianceAuthorizationServer, request: StarletteOAuth2Request, user_id: uuid.UUID
) -> Response:
    try:
        grant = server.get_consent_grant(request, end_user=None)
    except OAuth2Error as error:
        response: Response = server.handle_error_response(request, error)
        return response
    client = grant.request.client.model
    user: User | None = active_user(user_id, client.id)
    client_member = client.member_id
    if user is not None and client_member not in (None, user.member_id):
        user = None  # a member's app serves that member's people only
    granted: Response = server.create_authorization_response(request, grant_user=user, grant=grant)
    return granted


async def _form_endpoint(
    server: AllianceAuthorizationServer,
    request: Request,
    respond: Callable[[StarletteOAuth2Request], Response],
    *,
    limit: TokenRequestLimit | None = None,
) -> Response:
    oauth = await oauth2_request(request)
    if limit is not None and (refused := await limit.refusal(request, oauth)):
        return refused
    try:
        require_body_parameters(oauth)
    except OAuth2Error as error:
        response: Response = server.handle_error_response(oauth, error)
    else:
        response = await server.respond(lambda: respond(oauth))
    if limit is not None:
        await limit.settle(oauth, response)
    return response


def routes(
    server: AllianceAuthorizationServer,
    keys: KeyRing,
    issuer: str,
    *,
    token_limit: TokenRequestLimit,
) -> list[BaseRoute]:
    """The OAuth routes of `server`, publishing the keys of `keys`; `token_limit` bounds how
    often the token endpoint may be asked."""

    async def token(request: Request) -> Response:
        return await _form_endpoint(
            server, request, server.create_token_response, limit=token_limit
        )

    async def revoke(request: Request) -> Response:
        return await _form_endpoint(server, request, server.revocation_response)

    async def introspect(request: Request) -> Response:
        return await _form_endpoint(server, request, server.introspection_response)

    async def authorize(request: Request) -> Response:
        user_id = request.session.get(SESSION_USER)
        if not user_id:
            back = f"{request.url.path}?{request.url.query}"
            return RedirectResponse(f"/login?{urlencode({'next': back})}", status_code=302)
        oauth = await oauth2_request(request)
        answer = await server.respond(lambda: _authorize(server, oauth, uuid.UUID(user_id)))
        return server.with_issuer(answer)

    async def metadata(_request: Request) -> JSONResponse:
        return JSONResponse(authorization_server_metadata(issuer))

    async def jwks(_request: Request) -> JSONResponse:
        keys.reload_if_stale()
        return JSONResponse(keys.jwks(), headers={"Cache-Control": "public, max-age=300"})

    return [
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
        Route("/oauth/introspect", introspect, methods=["POST"]),
        Route("/.well-known/oauth-authorization-server", metadata),
        Route("/.well-known/jwks.json", jwks),
    ]
