"""TAXII 2.1 responses: its media type, content negotiation and error messages (§3.6)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from auth.middleware import DatabaseUnavailable, on_auth_error

PREFIX = "/taxii2"
TAXII_MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"


def _acceptable(item: str) -> bool:
    media, *parameters = (part.strip().lower() for part in item.split(";"))
    if media in {"*/*", "application/*", "application/json"}:
        return True
    if media != "application/taxii+json":
        return False
    versions = [p.removeprefix("version=") for p in parameters if p.startswith("version=")]
    return not versions or "2.1" in versions


def accepts_taxii(request: Request) -> bool:
    """Whether the request's Accept allows TAXII 2.1 JSON (no Accept header does)."""
    header = request.headers.get("accept")
    return header is None or any(_acceptable(item) for item in header.split(","))


def taxii_json(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A TAXII 2.1 resource."""
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=TAXII_MEDIA,
        headers=headers,
    )


def taxii_error(status: int, title: str, description: str | None = None) -> Response:
    """A TAXII error message: what went wrong, never an internal detail."""
    body: dict[str, Any] = {"title": title, "http_status": str(status)}
    if description:
        body["description"] = description
    headers = {"WWW-Authenticate": 'Bearer realm="taxii"'} if status == 401 else None
    return taxii_json(body, status=status, headers=headers)


def auth_error(conn: HTTPConnection, error: Exception) -> Response:
    """A refused bearer token: a TAXII error under /taxii2/, else the service's own."""
    if not conn.url.path.startswith(PREFIX) or isinstance(error, DatabaseUnavailable):
        return on_auth_error(conn, error)
    return taxii_error(401, "Unauthorized", str(error))
