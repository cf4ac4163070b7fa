"""Where a login may send the browser back to: relative paths of this service only."""

from __future__ import annotations

from urllib.parse import urlsplit

from alliance.text import refused_character


class InvalidReturnPath(ValueError):
    """The return path would leave this service (an open redirect); the message says why."""


def require_return_path(value: str | None) -> str:
    """`value` if it is a path on this service (default `/`), else `InvalidReturnPath`.

    Refused: absolute URLs, scheme-relative `//host`, backslashes (browsers read `/\\host`
    as `//host`), and control characters.
    """
    if not value:
        return "/"
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        raise InvalidReturnPath("`next` must be a path on this service, such as /oauth/authorize.")
    # The one rule of refused characters, and no line breaks or tabs in a URL either.
    if refused_character(value) is not None or any(c in value for c in "\t\n\r"):
        raise InvalidReturnPath("`next` contains control characters.")
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        raise InvalidReturnPath("`next` must be a path on this service, such as /oauth/authorize.")
    return value
