"""People's logins: /login at their member's provider, /auth/callback, /logout, and the
dev-only demo login. A login ends in a signed session cookie naming the user, which
/oauth/authorize turns into authorization codes for first-party apps."""

from __future__ import annotations

import html
import uuid

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from alliance.db import Database
from alliance.errors import AllianceError
from alliance.identity_providers import login as login_service
from alliance.identity_providers import service as provider_service
from alliance.identity_providers.models import SECRETARIAT, IdentityProvider
from api.oauth import SESSION_USER
from auth.federation import Federation, FederationFailed
from auth.return_paths import InvalidReturnPath, require_return_path
from schema.ids import parse_global_id

LOGIN_FORM = """<!doctype html><title>Log in to the alliance</title>
<form method="get" action="/login"><input type="hidden" name="next" value="{next}">
<label>Your work email domain <input name="domain" placeholder="brand.example"></label>
<button>Continue at your company's login</button></form>"""


def error_response(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _member_id(value: str) -> uuid.UUID | None:
    parsed = parse_global_id(value)
    if parsed is not None and parsed[0] == "Member":
        return parsed[1]
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def signed_in(request: Request, user_id: uuid.UUID, next_path: str) -> Response:
    # A new session: nothing of the login's state survives into the signed-in one.
    request.session.clear()
    request.session[SESSION_USER] = str(user_id)
    return RedirectResponse(next_path, status_code=302)


class LoginEndpoints:
    """/login, /auth/callback and /logout (and /login/dev where the demo login is on)."""

    def __init__(self, database: Database, federation: Federation) -> None:
        self.database = database
        self.federation = federation

    async def _provider(self, member: str | None, domain: str | None) -> IdentityProvider | None:
        member_id = _member_id(member) if member and member != SECRETARIAT else None
        if member and member != SECRETARIAT and member_id is None:
            return None
        async with self.database.session() as session:
            return await provider_service.for_login(session, member_id=member_id, domain=domain)

    async def login(self, request: Request) -> Response:
        params = request.query_params
        try:
            next_path = require_return_path(params.get("next"))
        except InvalidReturnPath as error:
            return error_response(400, "invalid_request", str(error))
        if not params.get("member") and not params.get("domain"):
            return HTMLResponse(LOGIN_FORM.format(next=html.escape(next_path, quote=True)))
        provider = await self._provider(params.get("member"), params.get("domain"))
        if provider is None:
            return error_response(404, "unknown_identity_provider", "No login is set up for this.")
        request.session["login"] = {"provider": str(provider.id), "next": next_path}
        try:
            return await self.federation.start(request, provider)
        except FederationFailed as error:
            return error_response(502, "temporarily_unavailable", str(error))

    async def callback(self, request: Request) -> Response:
        started = request.session.get("login")
        if not isinstance(started, dict):
            return error_response(
                400, "invalid_request", "No login is in progress in this browser."
            )
        async with self.database.session() as session:
            provider = await session.get(IdentityProvider, uuid.UUID(started["provider"]))
        if provider is None:
            return error_response(400, "invalid_request", "This login's provider is gone.")
        try:
            identity = await self.federation.finish(request, provider)
            async with self.database.transaction() as session:
                user = await login_service.user_for_identity(
                    session, provider=provider, identity=identity
                )
        except FederationFailed as error:
            request.session.clear()
            return error_response(400, "login_failed", str(error))
        except AllianceError as error:
            request.session.clear()
            return error_response(403, "access_denied", error.message)
        return signed_in(request, user.id, started["next"])

    async def logout(self, request: Request) -> Response:
        try:
            next_path = require_return_path(request.query_params.get("next"))
        except InvalidReturnPath as error:
            return error_response(400, "invalid_request", str(error))
        request.session.clear()
        return RedirectResponse(next_path, status_code=302)


def routes(database: Database, federation: Federation) -> list[BaseRoute]:
    """/login, /auth/callback and /logout."""
    endpoints = LoginEndpoints(database, federation)
    result: list[BaseRoute] = [
        Route("/login", endpoints.login),
        Route("/auth/callback", endpoints.callback),
        Route("/logout", endpoints.logout, methods=["GET", "POST"]),
    ]
    return result
