"""The demo login of the dev environment: log in as any demo user, no provider asked.

Only mounted when ALLIANCE_DEV_LOGIN is on, which `Settings.require_safe` refuses in
production. It signs the browser in (so /oauth/authorize works for apps) and, when no
`next` is given, shows a ready-to-use access token for GraphiQL or curl.
"""

from __future__ import annotations

import html
import json

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from alliance import principals as principal_service
from alliance.db import Database
from alliance.errors import AllianceError
from alliance.principals import CLI_CLIENT_ID, Credential
from alliance.users import service as user_service
from alliance.users.models import User
from api.curl import curl_command
from api.login import error_response, signed_in
from api.pages import html_page
from auth.forms import parse_form
from auth.grants import user_token
from auth.return_paths import InvalidReturnPath, require_return_path
from auth.tokens import TokenIssuer
from sharing import PrincipalKind

DEMO_TOKEN_TTL = 3600
PAGE = """<h1>Log in as a demo user</h1>
<p>Dev environment only: no identity provider is asked. Pick a user to get an access token
for them.</p>{forms}"""
FORM = """<form method="post" action="/login/dev"><input type="hidden" name="email"
value="{email}">{next}<button>{email}</button></form>"""
NEXT = '<input type="hidden" name="next" value="{next}">'
SIGNED_IN_PAGE = """<h1>Logged in as {email}</h1>
<p>An access token, valid for one hour:</p><pre id="token">{token}</pre>
<p>In GraphiQL, put this in the Headers tab:</p><pre id="header">{header}</pre>{open}
<p>With curl:</p><pre id="curl">{curl}</pre>
<p>This page is the only place the token is shown; log in again for a new one.</p>"""
OPEN_GRAPHIQL = """<p><button id="open-graphiql" type="button">Open GraphiQL with this token
</button></p><script src="/static/graphiql/dev-token.js"></script>"""
VIEWER_QUERY = "{ viewer { kind roles member { legalName } } }"


async def _active_user(session: AsyncSession, email: str) -> User | None:
    """The user if they may authenticate now (`alliance.principals`), as the token shown
    and the bearer check then require."""
    try:
        user = await user_service.by_email(session, email)
    except AllianceError:
        return None
    if user is None:
        return None
    person = Credential(PrincipalKind.USER, user.id, client=CLI_CLIENT_ID)
    return user if (await principal_service.standing(session, person)).allowed else None


def _token_page(user: User, token: str, *, base_url: str, graphiql: bool) -> Response:
    header = json.dumps({"Authorization": f"Bearer {token}"})
    page = SIGNED_IN_PAGE.format(
        email=html.escape(user.email),
        token=html.escape(token),
        header=html.escape(header),
        open=OPEN_GRAPHIQL if graphiql else "",
        curl=html.escape(curl_command(base_url, token, VIEWER_QUERY)),
    )
    response = html_page("Logged in (dev only)", page)
    response.headers["Cache-Control"] = "no-store"
    return response


def routes(database: Database, tokens: TokenIssuer, *, graphiql: bool) -> list[BaseRoute]:
    """`/login/dev`: GET lists the users, POST (email, next) logs in as one: to `next`
    where one is given (an app's /oauth/authorize), else to a page showing a token."""

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
                # Only a `next` asked for is carried on: without one, the token page follows.
                carried = NEXT.format(next=html.escape(next_path)) if wanted_next else ""
                forms = "".join(FORM.format(email=html.escape(e), next=carried) for e in emails)
                return html_page("Demo login (dev only)", PAGE.format(forms=forms))
            user = await _active_user(session, form.get("email", ""))
        if user is None:
            return error_response(403, "access_denied", "No active user with this email.")
        response = signed_in(request, user.id, next_path)
        if wanted_next:
            return response
        token = user_token(tokens, user, ttl=DEMO_TOKEN_TTL)
        return _token_page(user, token, base_url=tokens.issuer, graphiql=graphiql)

    return [Route("/login/dev", dev_login, methods=["GET", "POST"])]
