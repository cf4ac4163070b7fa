"""The `/graphql` endpoint: strawberry over Starlette, closed to anonymous callers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from alliance.db import Database
from alliance.identity_providers.secret_box import SecretBox
from api import graphiql
from auth.middleware import ViewerUser, unauthorized
from schema.context import Context


class AllianceGraphQL(GraphQL[Context, None]):
    def __init__(
        self, *args: Any, database: Database, secret_box: SecretBox, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.database = database
        self.secret_box = secret_box

    async def get_context(self, request: Any, response: Any) -> Context:
        user = request.scope["user"]
        if not isinstance(user, ViewerUser):  # RequireViewer lets only viewers through
            raise PermissionError("no viewer on an authenticated route")
        return Context(viewer=user.viewer, database=self.database, secret_box=self.secret_box)


class RequireViewer:
    """Anonymous requests get 401 and nothing else, but for the GraphiQL page where enabled.

    The page (api/graphiql.py) is static HTML served here to any browser, without running
    any GraphQL; the queries it sends carry a token like any other.
    """

    def __init__(self, app: AllianceGraphQL, *, graphiql: bool) -> None:
        self.app = app
        self.graphiql = graphiql

    def _is_ide_page(self, scope: Scope) -> bool:
        if not self.graphiql or scope["type"] != "http" or scope["method"] != "GET":
            return False
        return "text/html" in Request(scope).headers.get("accept", "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response: Response
        if self._is_ide_page(scope):
            response = graphiql.page()
        elif isinstance(scope.get("user"), ViewerUser):
            await self.app(scope, receive, send)
            return
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        else:
            response = unauthorized()
        await response(scope, receive, send)
