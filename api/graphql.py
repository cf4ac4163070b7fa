"""The `/graphql` endpoint: strawberry over Starlette, closed to anonymous callers."""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from alliance.db import UNAVAILABLE_MESSAGE, Database
from alliance.identity_providers.secret_box import SecretBox
from auth.middleware import ViewerUser, unauthorized, unavailable
from schema.context import Context


def request_error(message: str, status: int = 400) -> JSONResponse:
    """A request refused before any GraphQL ran, answered in GraphQL's shape."""
    code = "VALIDATION" if status == 400 else "REQUEST"
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


class AllianceGraphQL(GraphQL[Context, None]):
    def __init__(
        self, *args: Any, database: Database, secret_box: SecretBox, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.database = database
        self.secret_box = secret_box

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as refused:  # strawberry's own answer is plain text
            response = (
                unavailable()
                if refused.status_code == 503
                else request_error(refused.reason, refused.status_code)
            )
        await response(scope, receive, send)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        # While the database is unreachable the whole answer is 503 with Retry-After.
        if any((e.extensions or {}).get("code") == "UNAVAILABLE" for e in result.errors or ()):
            raise HTTPException(503, UNAVAILABLE_MESSAGE)
        return await super().process_result(request, result)

    def decode_json(self, data: str | bytes) -> object:
        """A request body: UTF-8 JSON holding one object, the request (GraphQL over HTTP)."""
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not UTF-8.") from None
        decoded = json.loads(text)
        if not isinstance(decoded, dict):
            raise HTTPException(
                400, "Expected a JSON object: a GraphQL request, or its variables or extensions."
            )
        if not isinstance(decoded.get("operationName"), str | None):
            raise HTTPException(400, "`operationName` is a string or null, if provided.")
        return decoded

    async def get_context(self, request: Any, response: Any) -> Context:
        user = request.scope["user"]
        if not isinstance(user, ViewerUser):  # RequireViewer lets only viewers through
            raise PermissionError("no viewer on an authenticated route")
        return Context(viewer=user.viewer, database=self.database, secret_box=self.secret_box)


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
