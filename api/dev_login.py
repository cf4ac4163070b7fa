"""The demo login of the dev environment: log in as any demo user, no provider asked.

Only mounted when ALLIANCE_DEV_LOGIN is on, which `Settings.require_safe` refuses in
production. It signs the browser in (so /oauth/authorize works for apps) and, when no
`next` is given, shows a ready-to-use access token for GraphiQL or curl.
"""

from __future__ import annotations

import html

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from alliance.db import Database
from alliance.errors import AllianceError
from alliance.users import service as user_service
from alliance.users.models import User, UserStatus
from api.login import error_response, signed_in
from auth.forms import parse_form
from auth.grants import user_token
from auth.return_paths import InvalidReturnPath, require_return_path
from auth.tokens import TokenIssuer

DEMO_TOKEN_TTL = 3600
PAGE = """<!doctype html><title>Demo login (dev only)</title><h1>Log in as a demo user</h1>
<p>Dev environment only: no identity provider is asked.</p>{forms}"""
FORM = """<form method="post" action="/login/dev"><input type="hidden" name="email"
value="{email}"><input type="hidden" name="next" value="{next}"><button>{email}</button></form>"""
SIGNED_IN_PAGE = """<!doctype html><title>Logged in (dev only)</title><h1>Logged in as {email}</h1>
<p>An access token for one hour; in <a href="/graphql">GraphiQL</a> add the header
<code>{{"Authorization": "Bearer &lt;token&gt;"}}</code>:</p><pre id="token">{token}</pre>"""


async def _active_user(session: AsyncSession, email: str) -> User | None:
    try:
        user = await user_service.by_email(session, email)
    except AllianceError:
        return None
    return user if user is not None and user.status is not UserStatus.DEACTIVATED else None


def routes(database: Database, tokens: TokenIssuer) -> list[BaseRoute]:
    """`/login/dev`: GET lists the users, POST (email, next) logs in as one."""

    async def dev_login(request: Request) -> Response:
        form = dict(parse_form(await request.body())) if request.method == "POST" else {}
        wanted_next = form.get("next") or request.query_params.get("next")
        try:
            next_path = require_return_path(wanted_next)
        except InvalidReturnPath as error:
            return error_response(400, "invalid_request", str(error))
        async with database.session() as session:
            if request.method == "GET":
                emails = await user_service.active_emails(session)
                safe = html.escape(next_path, quote=True)
                forms = "".join(FORM.format(email=html.escape(e), next=safe) for e in emails)
                return HTMLResponse(PAGE.format(forms=forms))
            user = await _active_user(session, form.get("email", ""))
        if user is None:
            return error_response(403, "access_denied", "No active user with this email.")
        response = signed_in(request, user.id, next_path)
        if wanted_next:
            return response
        token = user_token(tokens, user, ttl=DEMO_TOKEN_TTL)
        page = HTMLResponse(SIGNED_IN_PAGE.format(email=html.escape(user.email), token=token))
        page.headers.update({"Cache-Control": "no-store"})
        return page

    return [Route("/login/dev", dev_login, methods=["GET", "POST"])]
