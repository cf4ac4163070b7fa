"""`GET /`: what this service is and where to go, for browsers (HTML) and API clients
(JSON). Served without a token; it names no member and nothing of their data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from alliance.config import Settings
from api.pages import html_page

INTRO = """<h1>Alliance</h1><p>The data-sharing service of the anti-counterfeiting alliance:
members pool what they know about infringers, each under its own sharing policy. It is a
GraphQL API; every call needs a bearer access token.</p><ul>{links}</ul>
<p>The API documents itself: every type and field has a description, which GraphiQL's
documentation explorer shows (introspection needs a token). The repository's
<code>schema.graphql</code>, <code>README.md</code> and <code>docs/</code> say the rest.</p>"""
LINK = '<li><a href="{path}">{path}</a>: {what}</li>'


def _links(settings: Settings) -> list[tuple[str, str]]:
    graphql = "the GraphQL API" + (" (GraphiQL in a browser)" if settings.graphiql else "")
    links = [("/graphql", graphql)]
    if settings.dev_login:
        links.append(("/login/dev", "demo login, dev only: pick a demo user, get a token"))
    return [
        *links,
        ("/login", "log in through your company's identity provider (for apps)"),
        ("/.well-known/oauth-authorization-server", "OAuth metadata, for member systems"),
        ("/taxii2/", "TAXII 2.1, read-only, for member systems (a token too)"),
        ("/healthz", "health"),
    ]


def routes(settings: Settings) -> list[BaseRoute]:
    """`/`: HTML for browsers, JSON (absolute URLs) for everyone else."""
    links = _links(settings)
    page = INTRO.format(links="".join(LINK.format(path=p, what=w) for p, w in links))
    directions = {
        "service": "Alliance",
        "graphql": f"{settings.issuer}/graphql",
        "graphiql": settings.graphiql,
        "login": f"{settings.issuer}/login",
        "devLogin": f"{settings.issuer}/login/dev" if settings.dev_login else None,
        "oauthMetadata": f"{settings.issuer}/.well-known/oauth-authorization-server",
        "taxii": f"{settings.issuer}/taxii2/",
        "health": f"{settings.issuer}/healthz",
    }

    async def home(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            return html_page("Alliance", page)
        return JSONResponse(directions)

    return [Route("/", home)]
