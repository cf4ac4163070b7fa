"""The `/graphql` endpoint: strawberry over Starlette, closed to anonymous callers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from alliance.db import Database
from alliance.identity_providers.secret_box import SecretBox
from alliance.policies.reapply import ReapplyOptions
from api import graphiql
from auth.middleware import ViewerUser, unauthorized
from schema.context import Context
from schema.cost_limit import THROTTLED


def _retry_after(data: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> int | None:
    """The wait a THROTTLED answer names; None for any other answer."""
    for answer in data if isinstance(data, list) else [data]:
        for error in answer.get("errors") or []:
            extensions = error.get("extensions") if isinstance(error, dict) else None
            if isinstance(extensions, dict) and extensions.get("code") == THROTTLED:
                return int(extensions["retryAfter"])
    return None


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

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        # An exhausted budget refuses the whole request: 429, as for any rate limit.
        response = super().create_response(response_data, sub_response)
        retry_after = _retry_after(response_data)
        if retry_after is not None:
            response.status_code = 429
            response.headers["Retry-After"] = str(retry_after)
        return response


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
