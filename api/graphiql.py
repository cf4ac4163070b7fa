"""GraphiQL from this package: the page and its scripts come from this service, not a CDN,
so the IDE works on a machine without internet (api/static/graphiql/README.md)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).with_name("static") / "graphiql"
PAGE = Path(__file__).with_name("graphiql.html").read_text(encoding="utf-8")
# Scripts of this origin only: the page holds a bearer token in its headers editor.
# GraphiQL sets inline styles and draws some icons as data: images.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


def page() -> HTMLResponse:
    """The GraphiQL page; it runs no GraphQL itself, its queries carry their own token."""
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


def routes() -> list[BaseRoute]:
    """The page's scripts and styles (public code, nothing of the alliance's data)."""
    return [Mount("/static/graphiql", app=StaticFiles(directory=ASSETS), name="graphiql")]
