"""Identity providers: one per member (and one for the secretariat), registered by admins."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import Act, may_act_for
from alliance.audit import service as audit_service
from alliance.clients.redirect_uris import is_acceptable_url
from alliance.errors import Conflict, InvalidInput, NotFound
from alliance.identity_providers.models import SECRETARIAT, IdentityProvider
from alliance.identity_providers.secret_box import SecretBox
from alliance.members.models import Member
from sharing import MemberStatus, Viewer

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def owner_key(member_id: uuid.UUID | None) -> str:
    """The unique owner of a registration: the member id, or `secretariat`."""
    return SECRETARIAT if member_id is None else str(member_id)


def _require_issuer(issuer: str) -> str:
    value = issuer.strip().rstrip("/")
    # The rule of redirect URIs: https, or http on loopback (a provider in tests).
    if not is_acceptable_url(value) or urlsplit(value).query:
        raise InvalidInput(
            "An issuer is an https URL without query (http on loopback only).", field="issuer"
        )
    return value


def require_domains(domains: Iterable[str]) -> list[str]:
    """Email domains in lower case, each a plausible DNS name; at least one."""
    cleaned = sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})
    if not cleaned:
        raise InvalidInput("Give at least one allowed email domain.", field="emailDomains")
    for domain in cleaned:
        if not _DOMAIN.match(domain):
            raise InvalidInput(f"Not an email domain: {domain}", field="emailDomains")
    return cleaned


async def register(
    session: AsyncSession,
    *,
    viewer: Viewer,
    secret_box: SecretBox,
    member_id: uuid.UUID | None,
    issuer: str,
    client_id: str,
    client_secret: str,
    email_domains: Iterable[str],
    auto_provision: bool,
) -> IdentityProvider:
    """Register (or replace) the identity provider of the viewer's own member (or, for
    alliance admins, the secretariat's). Alliance admins also register the first provider
    of an invited member, whose people could not log in otherwise; they never replace one.
    """
    owner = owner_key(member_id)
    provider = await session.scalar(select(IdentityProvider).where(IdentityProvider.owner == owner))
    await _require_may_register(session, viewer, member_id, provider)
    if not client_id.strip() or not client_secret:
        raise InvalidInput(
            "Give the client id and secret issued by the provider.", field="clientId"
        )
    domains = require_domains(email_domains)
    await _require_domains_free(session, owner, domains)
    if provider is None:
        provider = IdentityProvider(owner=owner, member_id=member_id)
        session.add(provider)
    provider.issuer = _require_issuer(issuer)
    provider.client_id = client_id.strip()
    provider.client_secret_encrypted = secret_box.seal(client_secret)
    provider.email_domains = domains
    provider.auto_provision = auto_provision
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="identity_provider.register",
        target_type="IdentityProvider",
        target_id=provider.id,
        target_member_id=member_id,
        details={"issuer": provider.issuer, "email_domains": provider.email_domains},
    )
    return provider


async def _require_may_register(
    session: AsyncSession,
    viewer: Viewer,
    member_id: uuid.UUID | None,
    provider: IdentityProvider | None,
) -> None:
    if member_id is None:
        if not may_act_for(viewer, None, Act.CREDENTIALS):
            raise NotFound("member", field="memberId")
        return
    member = await session.get(Member, member_id)
    onboarding = member is not None and member.status is MemberStatus.INVITED and not provider
    act = Act.ONBOARDING_LOGIN if onboarding else Act.CREDENTIALS
    # A member the viewer may not act for looks exactly like a missing one.
    if member is None or not may_act_for(viewer, member_id, act):
        raise NotFound("member", field="memberId")


async def _require_domains_free(session: AsyncSession, owner: str, domains: list[str]) -> None:
    """An email domain logs in at one provider only: otherwise one member could route (and
    provision) another member's people through its own provider."""
    others = await session.scalars(select(IdentityProvider).where(IdentityProvider.owner != owner))
    taken = sorted({d for provider in others for d in provider.email_domains} & set(domains))
    if taken:
        raise Conflict(
            f"Another identity provider already serves {', '.join(taken)}.", field="emailDomains"
        )


async def of_member(
    session: AsyncSession, *, viewer: Viewer, member_id: uuid.UUID | None
) -> IdentityProvider | None:
    """The provider of the viewer's own member, or the secretariat's for alliance admins
    (None for anyone else)."""
    if not may_act_for(viewer, member_id, Act.CREDENTIALS):
        return None
    return await session.scalar(
        select(IdentityProvider).where(IdentityProvider.owner == owner_key(member_id))
    )


async def for_login(
    session: AsyncSession, *, member_id: uuid.UUID | None = None, domain: str | None = None
) -> IdentityProvider | None:
    """The provider a login starts at: the member's (or secretariat's), or the one whose
    allowed email domains include `domain`. No viewer: nobody is logged in yet."""
    if domain is None:
        return await session.scalar(
            select(IdentityProvider).where(IdentityProvider.owner == owner_key(member_id))
        )
    wanted = domain.strip().lower()
    for provider in await session.scalars(select(IdentityProvider)):
        if wanted in provider.email_domains:
            return provider
    return None
