from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import relay

from alliance.clients.models import Client
from schema.enums import Scope


@strawberry.type(
    name="Client",
    description="A system or app of a member (or of the secretariat) that uses OAuth.",
)
class ClientType(relay.Node):
    id: relay.NodeID[str]
    client_id: str = strawberry.field(description="The public OAuth client identifier.")
    name: str
    scopes: list[Scope] = strawberry.field(description="The most its tokens may carry.")
    redirect_uris: list[str] = strawberry.field(description="Exact URIs for the code grant.")
    public: bool = strawberry.field(description="True for apps without a secret (PKCE only).")
    created_at: dt.datetime
    revoked_at: dt.datetime | None = strawberry.field(
        description="When it was revoked; its tokens have been refused since."
    )

    @classmethod
    def from_model(cls, client: Client) -> ClientType:
        return cls(
            id=str(client.id),
            client_id=client.client_id,
            name=client.name,
            scopes=[Scope(s) for s in client.scopes],
            redirect_uris=list(client.redirect_uris),
            public=not client.secret_hash,
            created_at=client.created_at,
            revoked_at=client.revoked_at,
        )
