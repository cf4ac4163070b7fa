from __future__ import annotations

import strawberry

from alliance.identity_providers.models import IdentityProvider


@strawberry.type(
    name="IdentityProvider",
    description=(
        "The OpenID provider where a member's people (or the secretariat) log in. "
        "Its client secret is stored encrypted and never shown again."
    ),
)
class IdentityProviderType:
    issuer: str
    client_id: str = strawberry.field(description="The client id the provider issued to us.")
    email_domains: list[str] = strawberry.field(description="Only these domains may log in.")
    auto_provision: bool = strawberry.field(
        description="Whether people not invited become analysts at their first login."
    )
    login_url: str = strawberry.field(description="Where the login starts (relative).")

    @classmethod
    def from_model(cls, provider: IdentityProvider) -> IdentityProviderType:
        who = f"member={provider.member_id}" if provider.member_id else "member=secretariat"
        return cls(
            issuer=provider.issuer,
            client_id=provider.client_id,
            email_domains=list(provider.email_domains),
            auto_provision=provider.auto_provision,
            login_url=f"/login?{who}",
        )
