"""The `/graphql` endpoint: strawberry over Starlette, closed to anonymous callers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from alliance.db import Database
from auth.middleware import ViewerUser, unauthorized
from schema.context import Context


class AllianceGraphQL(GraphQL[Context, None]):
    def __init__(self, *args: Any, database: Database, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.database = database

    async def get_context(self, request: Any, response: Any) -> Context:
        user = request.scope["user"]
        if not isinstance(user, ViewerUser):  # RequireViewer lets only viewers through
            raise PermissionError("no viewer on an authenticated route")
        return Context(viewer=user.viewer, database=self.database)


class RequireViewer:
    """Anonymous requests get 401 and nothing else (the GraphiQL page aside, in dev)."""

    def __init__(self, app: ASGIApp, *, graphiql: bool) -> None:
        self.app = app
        self.graphiql = graphiql

    def _is_ide_page(self, scope: Scope) -> bool:
        if not self.graphiql or scope["type"] != "http" or scope["method"] != "GET":
            return False
        return "text/html" in Request(scope).headers.get("accept", "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if isinstance(user, ViewerUser) or self._is_ide_page(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        response: Response = unauthorized()
        await response(scope, receive, send)
