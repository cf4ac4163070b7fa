"""Clients: member systems with OAuth client credentials. The secret is shown once."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import Act, may_act_for
from alliance.audit import service as audit_service
from alliance.clients.models import Client
from alliance.clients.redirect_uris import require_redirect_uris
from alliance.db import utcnow
from alliance.errors import IllegalTransition, InvalidInput, NotFound
from alliance.oauth.service import new_secret, token_hash
from sharing import MEMBER_CLIENT_SCOPES, Scope, Viewer


def hash_secret(secret: str) -> str:
    """SHA-256 of a client secret.

    Secrets are 256 random bits we generate, so a slow password hash adds nothing against
    guessing; a fast hash keeps token requests cheap.
    """
    return token_hash(secret)


def is_secret_valid(client: Client, secret: str) -> bool:
    """Whether `secret` is the client's current secret (never true for a public client)."""
    return bool(client.secret_hash) and hmac.compare_digest(client.secret_hash, hash_secret(secret))


def _require_scopes(scopes: Iterable[Scope], member_id: uuid.UUID | None) -> list[str]:
    wanted = frozenset(scopes)
    if member_id is not None and not wanted <= MEMBER_CLIENT_SCOPES:
        extra = ", ".join(sorted(wanted - MEMBER_CLIENT_SCOPES))
        raise InvalidInput(f"A member's client cannot hold: {extra}.", field="scopes")
    if not wanted:
        raise InvalidInput("A client needs at least one scope.", field="scopes")
    return sorted(wanted)


def _require_name(name: str) -> str:
    client_name = " ".join(name.split())
    if not 1 <= len(client_name) <= 200:
        raise InvalidInput("A client name has 1 to 200 characters.", field="name")
    return client_name


async def create(
    session: AsyncSession,
    *,
    viewer: Viewer,
    member_id: uuid.UUID | None,
    name: str,
    scopes: Iterable[Scope],
    redirect_uris: Iterable[str] = (),
    public: bool = False,
    allow_any_http: bool = False,
) -> tuple[Client, str | None]:
    """Register a client for a member the viewer administers; returns it and its secret.

    A member system gets a secret (shown once, stored hashed). An app used by people
    registers redirect URIs; a `public` one (a browser or native app) has no secret.
    """
    if not may_act_for(viewer, member_id, Act.CREDENTIALS):
        raise NotFound("member", field="memberId")
    uris = require_redirect_uris(redirect_uris, allow_any_http=allow_any_http)
    if public and not uris:
        raise InvalidInput("A public client needs a redirect URI.", field="redirectUris")
    secret = None if public else new_secret()
    client = Client(
        member_id=member_id,
        name=_require_name(name),
        client_id=f"cl_{secrets.token_hex(12)}",
        secret_hash=hash_secret(secret) if secret else "",
        scopes=_require_scopes(scopes, member_id),
        redirect_uris=uris,
    )
    session.add(client)
    await session.flush()
    _audit(session, viewer, client, "client.create", scopes=client.scopes, public=public)
    return client, secret


def _audit(
    session: AsyncSession, viewer: Viewer, client: Client, action: str, **details: object
) -> None:
    audit_service.record(
        session,
        viewer=viewer,
        action=action,
        target_type="Client",
        target_id=client.id,
        target_member_id=client.member_id,
        details={"client_id": client.client_id, **details},
    )


async def _require_manageable(
    session: AsyncSession, viewer: Viewer, client_id: uuid.UUID, act: Act
) -> Client:
    client = await session.get(Client, client_id, with_for_update=True)
    # A client the viewer may not act on looks exactly like a missing one.
    if client is None or not may_act_for(viewer, client.member_id, act):
        raise NotFound("client")
    if client.revoked_at is not None:
        raise IllegalTransition("This client is revoked.", field="id")
    return client


async def rotate_secret(
    session: AsyncSession, *, viewer: Viewer, client_id: uuid.UUID
) -> tuple[Client, str]:
    """A new secret for a confidential client; the old one stops working at once."""
    client = await _require_manageable(session, viewer, client_id, Act.CREDENTIALS)
    if not client.secret_hash:
        raise IllegalTransition("A public client has no secret.", field="id")
    secret = new_secret()
    client.secret_hash = hash_secret(secret)
    _audit(session, viewer, client, "client.secret_rotate")
    return client, secret


async def revoke(session: AsyncSession, *, viewer: Viewer, client_id: uuid.UUID) -> Client:
    """Revoke a client: it gets no more tokens and every token it holds is refused.
    Alliance admins may revoke a member's client in an emergency (it only narrows)."""
    client = await _require_manageable(session, viewer, client_id, Act.NARROW)
    client.revoked_at = utcnow()
    _audit(session, viewer, client, "client.revoke")
    return client


async def of_member(
    session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID | None
) -> list[Client]:
    """The clients of the viewer's own member (or, for alliance admins, of the
    secretariat), by name; an empty list for anyone else."""
    if not may_act_for(viewer, member_id, Act.CREDENTIALS):
        return []
    owner = Client.member_id.is_(None) if member_id is None else Client.member_id == member_id
    return list(await session.scalars(select(Client).where(owner).order_by(Client.name)))


async def by_client_id(session: AsyncSession, client_id: str) -> Client | None:
    """The client registered under this public identifier (revoked ones included)."""
    if not client_id:
        raise NotFound("client", field="clientId")
    return await session.scalar(select(Client).where(Client.client_id == client_id))


async def visible_by_ids(
    session: AsyncSession, *, viewer: Viewer, client_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Client]:
    """The clients among `client_ids` whose credentials the viewer manages."""
    ids = set(client_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(Client).where(Client.id.in_(ids)))
    return {c.id: c for c in rows if may_act_for(viewer, c.member_id, Act.CREDENTIALS)}
