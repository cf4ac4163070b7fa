"""The discovery document: RFC 8414 authorization server metadata.

There is no OpenID Connect discovery document: this server issues no ID tokens and has no
userinfo endpoint (people's identities come from their members' providers), so OpenID
Connect Discovery's required `id_token_signing_alg_values_supported` would be a promise
we do not keep (docs/auth.md).
"""

from __future__ import annotations

from typing import Any

from sharing import Scope


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    """What clients need to find and use this authorization server (RFC 8414)."""
    auth_methods = ["client_secret_basic", "client_secret_post", "none"]
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "scopes_supported": sorted(s.value for s in Scope),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": auth_methods[:2],
        "authorization_response_iss_parameter_supported": True,
    }
