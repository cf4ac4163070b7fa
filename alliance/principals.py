"""Whether a principal may still authenticate: the one rule, for every way in.

A person may authenticate while they are not deactivated, their member (if any) is one of
`MEMBER_STATUSES_THAT_AUTHENTICATE`, and the app their token was issued to is still
registered (the operator's command line, `CLI_CLIENT_ID`, is no registered app). A member
system may while it is not revoked and its member may. A token must not have been revoked.

The bearer check (async), the OAuth server (authlib, synchronous inside `run_sync`), the
command line and the demo login all read one statement (`standing_query`) and judge its row
with one function (`judge`), so no path can let in whom another refuses. The statement is
also everything the bearer check needs to build a `Viewer`: one round trip per request.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from alliance.agreements.service import CURRENT_VERSION
from alliance.clients.models import Client
from alliance.members.models import Member
from alliance.oauth.models import RevokedAccessToken
from alliance.users.models import User, UserStatus
from sharing import MEMBER_STATUSES_THAT_AUTHENTICATE, MemberStatus, PrincipalKind, Role, Scope

CLI_CLIENT_ID = "alliance-cli"  # the client id of tokens minted by the operator's command line

ClientRef = uuid.UUID | str  # a client's row id, or its OAuth client id


class Refusal(enum.StrEnum):
    """Why a principal may not authenticate (the text is safe to show the caller)."""

    TOKEN_REVOKED = "This token was revoked."  # noqa: S105 - a message, not a secret
    USER_INACTIVE = "The user is not active."
    MEMBER_INACTIVE = "The member is suspended or offboarded."
    CLIENT_REVOKED = "The client is revoked."
    APP_UNREGISTERED = "The app this token was issued to is no longer registered."


@dataclass(frozen=True, slots=True)
class Credential:
    """Whom a credential names: a person (through the app it was issued to) or a member
    system, and the access token's id when there is one."""

    kind: PrincipalKind
    principal_id: uuid.UUID | None  # the user, or the client's row (None: by `client` only)
    client: ClientRef  # the member system itself, or the app a person's token was issued to
    token_id: str | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    """A principal's standing now: `refusal` is None when it may authenticate."""

    refusal: Refusal | None
    principal_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    region: str | None = None
    member_status: MemberStatus | None = None
    agreed: bool = False
    roles: frozenset[Role] = frozenset()
    client_scopes: frozenset[Scope] = frozenset()

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _is_client(ref: ClientRef, client: type[Client] = Client) -> ColumnElement[bool]:
    return client.id == ref if isinstance(ref, uuid.UUID) else client.client_id == ref


def _app_registered(app: ClientRef) -> ColumnElement[bool]:
    if app == CLI_CLIENT_ID:
        return true()
    registered = aliased(Client)
    return exists().where(_is_client(app, registered), registered.revoked_at.is_(None))


def _token_revoked(token_id: str | None) -> ColumnElement[bool]:
    if token_id is None:
        return false()
    return exists().where(RevokedAccessToken.token_id == token_id)


def _principal_shut(is_user: bool) -> ColumnElement[bool]:
    # A deactivated user, a revoked client.
    return User.status == UserStatus.DEACTIVATED if is_user else Client.revoked_at.is_not(None)


def standing_query(credential: Credential) -> Select[Any]:
    """The one statement whose row `judge` decides on (no row: unknown principal)."""
    is_user = credential.kind is PrincipalKind.USER
    principal: Any = User if is_user else Client
    columns = [
        principal.id.label("principal_id"),
        principal.member_id.label("member_id"),
        _principal_shut(is_user).label("principal_shut"),
        (User.roles if is_user else Client.scopes).label("grants"),
        Member.status.label("member_status"),
        Member.region_code.label("region"),
        Member.accepted_agreement_version.label("accepted_version"),
        CURRENT_VERSION.scalar_subquery().label("current_version"),
        _token_revoked(credential.token_id).label("token_revoked"),
        (_app_registered(credential.client) if is_user else true()).label("app_registered"),
    ]
    query = select(*columns).select_from(principal)
    query = query.outerjoin(Member, Member.id == principal.member_id)
    if is_user:
        return query.where(User.id == credential.principal_id)
    query = query.where(_is_client(credential.client))
    if credential.principal_id is not None:
        query = query.where(Client.id == credential.principal_id)
    return query


def _refusal(kind: PrincipalKind, row: Any) -> Refusal | None:
    shut = Refusal.USER_INACTIVE if kind is PrincipalKind.USER else Refusal.CLIENT_REVOKED
    if row is None:
        return shut
    if row.token_revoked:
        return Refusal.TOKEN_REVOKED
    if row.principal_shut:
        return shut
    if not row.app_registered:
        return Refusal.APP_UNREGISTERED
    if row.member_id is not None and row.member_status not in MEMBER_STATUSES_THAT_AUTHENTICATE:
        return Refusal.MEMBER_INACTIVE
    return None


def judge(credential: Credential, row: Any) -> Standing:
    """The standing of `credential` given the row of its `standing_query` (or None)."""
    refusal = _refusal(credential.kind, row)
    if refusal is not None:
        return Standing(refusal)
    is_user = credential.kind is PrincipalKind.USER
    return Standing(
        refusal=None,
        principal_id=row.principal_id,
        member_id=row.member_id,
        region=row.region,
        member_status=row.member_status,
        agreed=row.current_version is not None and row.accepted_version == row.current_version,
        roles=frozenset(Role(r) for r in row.grants) if is_user else frozenset(),
        client_scopes=frozenset() if is_user else frozenset(Scope(s) for s in row.grants),
    )


async def standing(session: AsyncSession, credential: Credential) -> Standing:
    """Whether `credential`'s principal may authenticate now, and what it is (one query)."""
    row = (await session.execute(standing_query(credential))).one_or_none()
    return judge(credential, row)


def standing_sync(session: Session, credential: Credential) -> Standing:
    """`standing` on a synchronous session (the OAuth server's, inside `run_sync`)."""
    return judge(credential, session.execute(standing_query(credential)).one_or_none())


def system_by_client_id(session: Session, client_id: str) -> tuple[Client | None, Standing]:
    """A registered client by its OAuth client id, and its standing, in one statement (so
    an unknown client costs the same lookup as a known one)."""
    credential = Credential(kind=PrincipalKind.CLIENT, principal_id=None, client=client_id)
    row = session.execute(standing_query(credential).add_columns(Client)).one_or_none()
    return (row.Client if row is not None else None), judge(credential, row)
