"""Query strings outside GraphQL are clean UTF-8, or the request is a 400, in one place.

The login, callback, authorization and demo pages read query parameters; a NUL or an
undecodable byte in one must never reach a database query (PostgreSQL refuses NUL in
text: a 500). `/graphql` is left to its own edge (schema/control_characters.py), which
answers in GraphQL's shape.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.login import error_response
from auth.forms import MalformedRequest, parse_query

GRAPHQL_PATH = "/graphql"


class CleanQueryStrings:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != GRAPHQL_PATH and scope["query_string"]:
            try:
                # Percent-escapes are ASCII; a raw byte beyond it is no valid query either.
                parse_query(scope["query_string"].decode("ascii"))
            except (MalformedRequest, UnicodeDecodeError) as error:
                reason = str(error) if isinstance(error, MalformedRequest) else "Not ASCII."
                response = error_response(400, "invalid_request", reason)
                response.headers["Cache-Control"] = "no-store"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
