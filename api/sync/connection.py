"""A member system's connection to the service: a client-credentials token (fetched again
by authlib when it expires) and GraphQL requests that wait out throttling and retry what
a lost connection interrupted (every request the client sends is idempotent)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.httpx_client import OAuth2Client, OAuthError

ATTEMPTS = 5


class SyncError(Exception):
    """What stops a sync, in words for the person running it."""


@dataclass(frozen=True)
class Service:
    """Where the service is and who the member system is."""

    url: str
    client_id: str
    client_secret: str


class Connection:
    """GraphQL over HTTP as the member system's client."""

    def __init__(self, service: Service, *, scope: str, timeout: float = 300.0) -> None:
        self.base = service.url.rstrip("/")
        self._client = OAuth2Client(
            service.client_id,
            service.client_secret,
            scope=scope,
            token_endpoint=f"{self.base}/oauth/token",
            grant_type="client_credentials",
            timeout=timeout,
        )
        try:
            self._client.fetch_token()
        except OAuthError as refused:
            raise SyncError(f"The service refused the client: {refused.description}") from None
        except httpx2.TransportError as error:
            raise SyncError(f"Cannot reach {self.base}: {error}") from None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of one GraphQL request; SyncError for errors of the request as a whole."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self._client.post(
                    f"{self.base}/graphql", json={"query": query, "variables": variables or {}}
                )
            except httpx2.TransportError as error:
                if attempt == ATTEMPTS:
                    raise SyncError(f"Lost the connection to {self.base}: {error}") from None
                time.sleep(min(30, 2**attempt))
                continue
            if response.status_code == 429 and attempt < ATTEMPTS:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            return _data(response)
        raise SyncError(f"{self.base} kept throttling the client; try again later.")


def _data(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise SyncError(f"The service answered {response.status_code} without JSON.") from None
    errors = body.get("errors") or []
    if errors or body.get("data") is None:
        message = "; ".join(str(e.get("message")) for e in errors) or str(response.status_code)
        raise SyncError(f"The service refused the request: {message}")
    data: dict[str, Any] = body["data"]
    return data
