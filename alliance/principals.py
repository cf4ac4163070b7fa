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
import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, exists, false, select, true
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


def _is_client(by_row: bool, client: type[Client] = Client) -> ColumnElement[bool]:
    return (
        client.id == bindparam("client_row")
        if by_row
        else client.client_id == bindparam("client_key")
    )


def _app_registered(by_row: bool) -> ColumnElement[bool]:
    registered = aliased(Client)
    return exists().where(_is_client(by_row, registered), registered.revoked_at.is_(None))


def _principal_shut(is_user: bool) -> ColumnElement[bool]:
    # A deactivated user, a revoked client.
    return User.status == UserStatus.DEACTIVATED if is_user else Client.revoked_at.is_not(None)


@functools.cache
def _statement(
    is_user: bool, client_by_row: bool, has_token: bool, cli_app: bool, by_principal: bool
) -> Select[Any]:
    """The statement of one shape of credential, its values left as bound parameters.

    Built once per shape (a handful): building it took longer than running it, and the
    same statement object lets SQLAlchemy reuse its cache key and compiled form.
    """
    principal: Any = User if is_user else Client
    token_revoked = (
        exists().where(RevokedAccessToken.token_id == bindparam("token_id"))
        if has_token
        else false()
    )
    app_registered = _app_registered(client_by_row) if is_user and not cli_app else true()
    columns = [
        principal.id.label("principal_id"),
        principal.member_id.label("member_id"),
        _principal_shut(is_user).label("principal_shut"),
        (User.roles if is_user else Client.scopes).label("grants"),
        Member.status.label("member_status"),
        Member.region_code.label("region"),
        Member.accepted_agreement_version.label("accepted_version"),
        CURRENT_VERSION.scalar_subquery().label("current_version"),
        token_revoked.label("token_revoked"),
        app_registered.label("app_registered"),
    ]
    query = select(*columns).select_from(principal)
    query = query.outerjoin(Member, Member.id == principal.member_id)
    if is_user:
        return query.where(User.id == bindparam("principal_id"))
    query = query.where(_is_client(client_by_row))
    if by_principal:
        query = query.where(Client.id == bindparam("principal_id"))
    return query


def _shape_and_values(credential: Credential) -> tuple[Select[Any], dict[str, Any]]:
    is_user = credential.kind is PrincipalKind.USER
    by_row = isinstance(credential.client, uuid.UUID)
    statement = _statement(
        is_user,
        by_row,
        credential.token_id is not None,
        credential.client == CLI_CLIENT_ID,
        credential.principal_id is not None,
    )
    values: dict[str, Any] = {"client_row" if by_row else "client_key": credential.client}
    if credential.token_id is not None:
        values["token_id"] = credential.token_id
    if credential.principal_id is not None:
        values["principal_id"] = credential.principal_id
    return statement, values


def standing_query(credential: Credential) -> Select[Any]:
    """The one statement whose row `judge` decides on (no row: unknown principal)."""
    statement, values = _shape_and_values(credential)
    return statement.params(values)


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
    statement, values = _shape_and_values(credential)
    # On the session's connection, as Core: the statement reads no shareable model, so the
    # viewer session's ORM hook (which rebuilt it with the read criteria) has nothing to do.
    connection = await session.connection()
    row = (await connection.execute(statement, values)).one_or_none()
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
