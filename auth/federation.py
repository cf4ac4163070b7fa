"""People log in at their member's OpenID provider; authlib's Starlette client does the
protocol (state, nonce and PKCE S256 kept in the signed session cookie, ID token checked
against the provider's keys, issuer and our client id)."""

from __future__ import annotations

from typing import Any

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response

from alliance.identity_providers.login import Identity
from alliance.identity_providers.models import IdentityProvider
from alliance.identity_providers.secret_box import SecretBox

SCOPES = "openid email profile"


class FederationFailed(Exception):
    """The provider's answer could not be accepted (state, token or ID token); safe to show."""


class Federation:
    """The relying party of every registered identity provider."""

    def __init__(self, *, secret_box: SecretBox, callback_url: str) -> None:
        self.secret_box = secret_box
        self.callback_url = callback_url
        self.registry = OAuth()

    def client_for(self, provider: IdentityProvider) -> StarletteOAuth2App:
        """authlib's client for the provider's current registration (cached per version)."""
        name = f"idp-{provider.id}-{provider.updated_at.timestamp():.6f}"
        client = self.registry.create_client(name)
        if client is None:
            self.registry.register(
                name=name,
                client_id=provider.client_id,
                client_secret=self.secret_box.open(provider.client_secret_encrypted),
                server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
                client_kwargs={"scope": SCOPES, "code_challenge_method": "S256"},
            )
            client = self.registry.create_client(name)
        return client

    async def start(self, request: Request, provider: IdentityProvider) -> Response:
        """Redirect the browser to the provider's authorization endpoint."""
        try:
            response: Response = await self.client_for(provider).authorize_redirect(
                request, self.callback_url
            )
        except (AuthlibBaseError, httpx2.HTTPError, ValueError, KeyError) as error:
            raise FederationFailed("The identity provider cannot be reached.") from error
        return response

    async def finish(self, request: Request, provider: IdentityProvider) -> Identity:
        """The identity the provider asserts on its redirect back to `/auth/callback`."""
        client = self.client_for(provider)
        try:
            token = await client.authorize_access_token(
                request, claims_options={"iss": {"essential": True, "value": provider.issuer}}
            )
            claims: dict[str, Any] = dict(token.get("userinfo") or {})
            if "email" not in claims:  # providers that keep claims out of the ID token
                claims |= {**(await client.userinfo(token=token)), "sub": claims.get("sub")}
        except (AuthlibBaseError, JoseError, httpx2.HTTPError, ValueError, KeyError) as error:
            raise FederationFailed(f"The login could not be completed: {error}") from error
        if not claims.get("sub") or not claims.get("email"):
            raise FederationFailed("The identity provider did not say who you are.")
        return Identity(
            issuer=provider.issuer,
            subject=str(claims["sub"]),
            email=str(claims["email"]),
            email_verified=claims.get("email_verified") is True,
            name=str(claims.get("name") or ""),
        )
