"""Starlette requests as authlib's `OAuth2Request`, with the body read beforehand.

authlib is synchronous and reads `request.form` as a plain mapping, so the route awaits
the form first (as other ASGI integrations of authlib do) and hands over the values.
"""

from __future__ import annotations

import base64
from collections import defaultdict

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Payload, OAuth2Request
from starlette.datastructures import Headers
from starlette.requests import Request

from auth.forms import MalformedRequest, parse_form, parse_query, require_clean

# authlib refuses plain-http URLs; TLS is our deployment's job: Settings.require_safe
# demands an https issuer in production, while dev and tests serve http on loopback.
_PLACEHOLDER_URL = "https://alliance.invalid/"
MAX_BODY_BYTES = 64 * 1024


class StarlettePayload(OAuth2Payload):
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):
    def __init__(
        self,
        *,
        method: str,
        url: str,
        headers: Headers,
        query: list[tuple[str, str]],
        form: list[tuple[str, str]],
    ) -> None:
        super().__init__(method, _PLACEHOLDER_URL, headers=headers)
        self.uri = url
        self._args = dict(query)
        self._form = dict(form)
        self.payload = StarlettePayload(query + form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


async def _form(request: Request) -> list[tuple[str, str]]:
    # OAuth requests are application/x-www-form-urlencoded (RFC 6749 §3.2), and small.
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "POST" or content_type != "application/x-www-form-urlencoded":
        return []
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise MalformedRequest(f"An OAuth request's form holds at most {MAX_BODY_BYTES:,} bytes.")
    return parse_form(body)


def _require_clean_basic_credentials(request: Request) -> None:
    # authlib decodes HTTP Basic credentials itself; a client id never reaches a query
    # holding a character no input may hold.
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return
    try:
        credentials = base64.b64decode(value, validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError alike
        raise MalformedRequest("The Basic credentials are not base64 of UTF-8.") from None
    require_clean([("Authorization", credentials)])


async def oauth2_request(request: Request) -> StarletteOAuth2Request:
    """The request with its form read, ready for authlib's synchronous code.

    `MalformedRequest` if a parameter is not clean UTF-8 (the app answers 400).
    """
    form = await _form(request)
    _require_clean_basic_credentials(request)
    return StarletteOAuth2Request(
        method=request.method,
        url=str(request.url),
        headers=request.headers,
        query=parse_query(request.url.query),
        form=form,
    )


def require_body_parameters(request: StarletteOAuth2Request) -> None:
    """The parameters of a token, revocation or introspection request come in the form
    body, each at most once (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1), else
    `InvalidRequestError`. A query string ends up in logs and caches, and a repeated
    parameter lets two parsers disagree about which value counts."""
    if request.args:
        raise InvalidRequestError("Send the parameters in the form body, not the query string.")
    repeated = sorted(name for name, values in request.payload.datalist.items() if len(values) > 1)
    if repeated:
        raise InvalidRequestError(f"'{repeated[0]}' is sent more than once.")
