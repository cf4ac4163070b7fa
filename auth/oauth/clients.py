"""A registered `Client` as authlib sees it (its `ClientMixin` interface).

A client with a secret is confidential: it may use client credentials and authenticate
with HTTP Basic or a POST parameter. A client with redirect URIs may use the
authorization code grant (PKCE S256 always) and refresh tokens; one without a secret
is public and authenticates with `none`.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749 import ClientMixin

from alliance.clients.models import Client
from alliance.clients.service import is_secret_valid

CONFIDENTIAL_METHODS = frozenset({"client_secret_basic", "client_secret_post"})


class OAuthClient(ClientMixin):
    def __init__(self, client: Client) -> None:
        self.model = client

    @property
    def client_id(self) -> str:
        return self.model.client_id

    @property
    def is_public(self) -> bool:
        return not self.model.secret_hash

    def get_client_id(self) -> str:
        return self.model.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.model.redirect_uris
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes this client holds (all of them when none are requested);
        None, which authlib answers with `invalid_scope`, when it holds none of them."""
        allowed = set(self.model.scopes)
        if not scope:
            return " ".join(sorted(allowed))
        granted = sorted(s for s in scope.split() if s in allowed)
        return " ".join(granted) if granted else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string comparison (RFC 9700 §4.1.3): no prefixes, no wildcards.
        return redirect_uri in self.model.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return not self.is_public and is_secret_valid(self.model, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in CONFIDENTIAL_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and bool(self.model.redirect_uris)

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials":
            return not self.is_public
        if grant_type in {"authorization_code", "refresh_token"}:
            return bool(self.model.redirect_uris)
        return False
