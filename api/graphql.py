"""The `/graphql` endpoint: strawberry over Starlette, closed to anonymous callers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from alliance.db import Database
from alliance.identity_providers.secret_box import SecretBox
from alliance.policies.reapply import ReapplyOptions
from auth.middleware import ViewerUser, unauthorized
from schema.context import Context


class AllianceGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        *args: Any,
        database: Database,
        secret_box: SecretBox,
        reapply: ReapplyOptions | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.database = database
        self.secret_box = secret_box
        self.reapply = reapply or ReapplyOptions()

    async def get_context(self, request: Any, response: Any) -> Context:
        user = request.scope["user"]
        if not isinstance(user, ViewerUser):  # RequireViewer lets only viewers through
            raise PermissionError("no viewer on an authenticated route")
        return Context(
            viewer=user.viewer,
            database=self.database,
            secret_box=self.secret_box,
            reapply=self.reapply,
        )


class RequireViewer:
    """Anonymous requests get 401 and nothing else, but for the GraphiQL page where enabled.

    The page is static HTML served here, without running any GraphQL; the queries it sends
    carry a token like any other.
    """

    def __init__(self, app: AllianceGraphQL) -> None:
        self.app = app
        # Read once: strawberry reads the page from disk on every access.
        self.ide_html = app.graphql_ide_html if app.graphql_ide else None

    def _is_ide_page(self, scope: Scope) -> bool:
        if self.ide_html is None or scope["type"] != "http" or scope["method"] != "GET":
            return False
        return "text/html" in Request(scope).headers.get("accept", "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if isinstance(user, ViewerUser):
            await self.app(scope, receive, send)
            return
        response: Response
        if self.ide_html is not None and self._is_ide_page(scope):
            response = HTMLResponse(self.ide_html)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        else:
            response = unauthorized()
        await response(scope, receive, send)
