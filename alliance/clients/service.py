"""Clients: member systems with OAuth client credentials. The secret is shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from alliance.access import can_administer_member
from alliance.audit import service as audit_service
from alliance.clients.models import Client
from alliance.errors import InvalidInput, NotFound
from sharing import MEMBER_CLIENT_SCOPES, Scope, Viewer


def hash_secret(secret: str) -> str:
    """SHA-256 of a client secret.

    Secrets are 256 random bits we generate, so a slow password hash adds nothing against
    guessing; a fast hash keeps token requests cheap.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def is_secret_valid(client: Client, secret: str) -> bool:
    return hmac.compare_digest(client.secret_hash, hash_secret(secret))


def _require_scopes(scopes: Iterable[Scope], member_id: uuid.UUID | None) -> list[str]:
    wanted = frozenset(scopes)
    if member_id is not None and not wanted <= MEMBER_CLIENT_SCOPES:
        extra = ", ".join(sorted(wanted - MEMBER_CLIENT_SCOPES))
        raise InvalidInput(f"A member's client cannot hold: {extra}.", field="scopes")
    if not wanted:
        raise InvalidInput("A client needs at least one scope.", field="scopes")
    return sorted(wanted)


async def create(
    session: AsyncSession,
    *,
    viewer: Viewer,
    member_id: uuid.UUID | None,
    name: str,
    scopes: Iterable[Scope],
) -> tuple[Client, str]:
    """Register a client for a member the viewer administers; returns it and its secret."""
    if not can_administer_member(viewer, member_id):
        raise NotFound("member", field="memberId")
    client_name = " ".join(name.split())
    if not 1 <= len(client_name) <= 200:
        raise InvalidInput("A client name has 1 to 200 characters.", field="name")
    secret = secrets.token_urlsafe(32)
    client = Client(
        member_id=member_id,
        name=client_name,
        client_id=f"cl_{secrets.token_hex(12)}",
        secret_hash=hash_secret(secret),
        scopes=_require_scopes(scopes, member_id),
    )
    session.add(client)
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="client.create",
        target_type="Client",
        target_id=client.id,
        target_member_id=member_id,
        details={"client_id": client.client_id, "scopes": client.scopes},
    )
    return client, secret


async def by_client_id(session: AsyncSession, client_id: str) -> Client | None:
    """The client registered under this public identifier (revoked ones included)."""
    if not client_id:
        raise NotFound("client", field="clientId")
    return await session.scalar(select(Client).where(Client.client_id == client_id))


def by_client_id_sync(session: Session, client_id: str) -> Client | None:
    """`by_client_id` for the synchronous authorization server; None for an empty id."""
    if not client_id:
        return None
    return session.scalar(select(Client).where(Client.client_id == client_id))
