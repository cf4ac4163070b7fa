"""Limits at the HTTP edge: the size of a request body (413), and how often /oauth/token may
be asked, per client id and per remote address (429). The GraphQL cost limit is in
schema/cost_limit.py; both spend from the same token buckets (alliance/ratelimit.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from authlib.oauth2.rfc6749.util import extract_basic_authorization
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliance.ratelimit import Buckets, Rate, retry_after_seconds
from auth.oauth.requests import StarletteOAuth2Request


class _BodyTooLarge(Exception):
    """Raised from inside `receive` to stop the app reading a body over the limit."""


def declared_length(headers: Headers) -> int | None:
    """The body size a request's Content-Length declares, if it declares one."""
    value = headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else None


class BodySizeLimit:
    """Refuses a request whose body is over `max_bytes` with 413 before anything parses it:
    at once when its Content-Length says so, else as soon as the streamed chunks pass it."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, exempt: Callable[[str], bool] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths with a limit of their own (attachment uploads: api/attachments.py).
        self.exempt = exempt or (lambda _path: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = declared_length(Headers(scope=scope))
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _BodyTooLarge:
            if not started:  # else the answer is under way and the connection just ends
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"The request body is over the limit of {self.max_bytes:,} bytes."
        body = {"errors": [{"message": message, "extensions": {"code": "BODY_TOO_LARGE"}}]}
        await JSONResponse(body, status_code=413)(scope, receive, send)


def _client_id(request: StarletteOAuth2Request) -> str | None:
    basic_id, _secret = extract_basic_authorization(request.headers)
    found = basic_id or request.form.get("client_id")
    return found[:200] if found else None  # the key of a bucket: bounded whatever was sent


@dataclass(frozen=True, slots=True)
class TokenRequestLimit:
    """/oauth/token requests: a bucket per remote address and one per client id.

    Every request spends from its address's bucket. A client id's bucket keeps only the
    requests that got a token (`settle` gives back the others): whoever merely knows a
    client id cannot empty its bucket with wrong secrets and lock the member system out.
    """

    buckets: Buckets
    rate: Rate

    async def settle(self, oauth: StarletteOAuth2Request, response: Response) -> None:
        """After the answer: a request that got no token gives its client id's unit back."""
        client_id = _client_id(oauth)
        if client_id and response.status_code != 200:
            await self.buckets.settle(f"token:client:{client_id}", -1, self.rate)

    async def refusal(self, request: Request, oauth: StarletteOAuth2Request) -> Response | None:
        """The 429 answer when the address or the client id asked too often, else None."""
        address = request.client.host if request.client else "unknown"
        keys = [f"token:address:{address}"]
        client_id = _client_id(oauth)
        if client_id:
            keys.append(f"token:client:{client_id}")
        for key in keys:
            balance = await self.buckets.take(key, 1, self.rate)
            if not balance.allowed:
                seconds = retry_after_seconds(balance)
                return JSONResponse(
                    {
                        "error": "temporarily_unavailable",
                        "error_description": f"Too many token requests; retry in {seconds} s.",
                    },
                    status_code=429,
                    headers={"Retry-After": str(seconds), "Cache-Control": "no-store"},
                )
        return None
