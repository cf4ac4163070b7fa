"""The `/graphql` endpoint: strawberry over Starlette, closed to anonymous callers."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from alliance.db import UNAVAILABLE_MESSAGE, Database
from alliance.errors import Unauthenticated
from alliance.identity_providers.secret_box import SecretBox
from alliance.indicators.change_signal import ChangeSignal
from alliance.policies.reapply import ReapplyOptions
from api import graphiql
from auth.middleware import ViewerUser, request_session_of, unauthorized, unavailable
from auth.principals import viewer_for
from auth.tokens import InvalidToken, TokenIssuer
from schema.context import Context, SocketContext
from schema.cost_limit import THROTTLED
from sharing import PrincipalKind, Viewer


def _retry_after(data: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> int | None:
    """The wait a THROTTLED answer names; None for any other answer."""
    for answer in data if isinstance(data, list) else [data]:
        for error in answer.get("errors") or []:
            extensions = error.get("extensions") if isinstance(error, dict) else None
            if isinstance(extensions, dict) and extensions.get("code") == THROTTLED:
                return int(extensions["retryAfter"])
    return None


def request_error(message: str, status: int = 400) -> JSONResponse:
    """A request refused before any GraphQL ran, answered in GraphQL's shape."""
    code = "VALIDATION" if status == 400 else "REQUEST"
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


# Before `connection_init` names one, a socket's viewer may read nothing.
NOBODY = Viewer(
    kind=PrincipalKind.USER,
    principal_id=uuid.UUID(int=0),
    member_id=None,
    region=None,
    roles=frozenset(),
    scopes=frozenset(),
)


class AllianceGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        *args: Any,
        database: Database,
        secret_box: SecretBox,
        tokens: TokenIssuer,
        signal: ChangeSignal,
        reapply: ReapplyOptions | None = None,
        **kwargs: Any,
    ) -> None:
        # graphql-transport-ws only: the older graphql-ws protocol is not spoken.
        kwargs["subscription_protocols"] = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)
        super().__init__(*args, **kwargs)
        self.database = database
        self.secret_box = secret_box
        self.tokens = tokens
        self.signal = signal
        self.reapply = reapply or ReapplyOptions()

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
        try:
            decoded = json.loads(text)
        except (ValueError, RecursionError):
            # Not only malformed JSON: a number of thousands of digits or nesting deeper
            # than Python reads are ValueError and RecursionError, not JSONDecodeError.
            raise HTTPException(400, "The request body is not JSON that can be read.") from None
        if not isinstance(decoded, dict):
            raise HTTPException(
                400, "Expected a JSON object: a GraphQL request, or its variables or extensions."
            )
        if not isinstance(decoded.get("operationName"), str | None):
            raise HTTPException(400, "`operationName` is a string or null, if provided.")
        return decoded

    async def get_context(self, request: Any, response: Any) -> Context:
        if request.scope["type"] == "websocket":
            return SocketContext(
                viewer=NOBODY,
                database=self.database,
                secret_box=self.secret_box,
                reapply=self.reapply,
                request_session=self.database.request_session(),  # never used: see SocketContext
                signal=self.signal,
                socket=request,
            )
        user = request.scope["user"]
        if not isinstance(user, ViewerUser):  # RequireViewer lets only viewers through
            raise RuntimeError("no viewer on an authenticated route")
        return Context(
            viewer=user.viewer,
            database=self.database,
            secret_box=self.secret_box,
            reapply=self.reapply,
            request_session=request_session_of(request.scope),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """`connection_init`: its payload's `authorization` (`Bearer <access token>`) names
        the viewer, checked like a bearer header; without a valid one the socket closes
        (4403). The subscription checks it again before every page (`recheck`)."""
        if not isinstance(context, SocketContext):
            raise ConnectionRejectionError({"message": "Not a WebSocket."})
        given = context.connection_params.get("authorization")
        scheme, _, token = given.partition(" ") if isinstance(given, str) else ("", "", "")
        if scheme.lower() != "bearer" or not token.strip():
            raise ConnectionRejectionError({"message": "Send an access token in connection_init."})

        async def recheck() -> Viewer:
            try:
                claims = self.tokens.verify(token.strip())
                async with self.database.session() as session:
                    return await viewer_for(session, claims)
            except InvalidToken as refused:
                raise Unauthenticated(str(refused)) from None

        try:
            context.viewer = await recheck()
        except Unauthenticated as refused:
            raise ConnectionRejectionError({"message": refused.message}) from None
        context.recheck = recheck
        unset: UnsetType = UNSET
        return unset

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
        elif isinstance(scope.get("user"), ViewerUser) or scope["type"] == "websocket":
            # A socket names its viewer in `connection_init` (AllianceGraphQL.on_ws_connect).
            await self.app(scope, receive, send)
            return
        else:
            response = unauthorized()
        await response(scope, receive, send)
