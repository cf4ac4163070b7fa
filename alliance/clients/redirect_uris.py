"""Redirect URIs an app may register: exact, absolute, and over TLS unless on loopback."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from alliance.errors import InvalidInput

MAX_REDIRECT_URIS = 10


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_acceptable_url(uri: str) -> bool:
    """Absolute, no fragment or credentials, https (or http on loopback, RFC 8252 §7.3)."""
    if any(char.isspace() for char in uri):
        return False  # no URI holds white space (RFC 3986); urlsplit would drop line breaks
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.fragment or not host or parts.username or parts.password:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host))


def _require_uri(uri: str) -> str:
    if not is_acceptable_url(uri):
        raise InvalidInput(
            f"A redirect URI is absolute and uses https (http on loopback only): {uri}",
            field="redirectUris",
        )
    return uri


def require_redirect_uris(uris: Iterable[str], *, allow_any_http: bool = False) -> list[str]:
    """The URIs, deduplicated in order, or `InvalidInput` naming the first bad one.

    `allow_any_http` admits plain-http hosts (dev and test environments only).
    """
    result: list[str] = []
    for uri in uris:
        checked = uri if allow_any_http and uri.startswith("http://") else _require_uri(uri)
        if checked not in result:
            result.append(checked)
    if len(result) > MAX_REDIRECT_URIS:
        raise InvalidInput(
            f"At most {MAX_REDIRECT_URIS} redirect URIs per client.", field="redirectUris"
        )
    return result
