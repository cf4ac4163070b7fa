"""Users: invited by admins, given roles, deactivated; never deleted."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import Act, may_act_for
from alliance.audit import service as audit_service
from alliance.db import utcnow
from alliance.errors import Conflict, Forbidden, IllegalTransition, InvalidInput, NotFound
from alliance.members.models import Member
from alliance.users.models import User, UserStatus
from sharing import MemberStatus, Role, Viewer

SECRETARIAT_ROLES = frozenset({Role.ALLIANCE_ADMIN, Role.READ_ONLY})
MEMBER_ROLES = frozenset({Role.ANALYST, Role.MEMBER_ADMIN, Role.READ_ONLY})


def normalize_email(email: str, *, field: str = "email") -> str:
    """The address in canonical lower-case form, or an `InvalidInput` naming `field`."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(f"Not a valid email address: {error}", field=field) from error
    return checked.normalized.lower()


def _require_roles(roles: Iterable[Role], member_id: uuid.UUID | None) -> list[str]:
    wanted = frozenset(roles)
    allowed = SECRETARIAT_ROLES if member_id is None else MEMBER_ROLES
    if not wanted:
        raise InvalidInput("A user needs at least one role.", field="roles")
    if not wanted <= allowed:
        where = "the secretariat" if member_id is None else "a member"
        names = ", ".join(sorted(allowed))
        raise InvalidInput(f"Users of {where} may only hold: {names}.", field="roles")
    return sorted(wanted)


def _require_may(viewer: Viewer, user: User | None, act: Act) -> User:
    # A user the viewer may not act on looks exactly like a missing one.
    if user is None or not may_act_for(viewer, user.member_id, act):
        raise NotFound("user")
    return user


async def invite(
    session: AsyncSession,
    *,
    viewer: Viewer,
    member_id: uuid.UUID | None,
    email: str,
    roles: Iterable[Role],
    display_name: str = "",
) -> User:
    """Invite a person to a member the viewer administers (or to the secretariat).

    Alliance admins may invite to any member (its first admin, or a new one when none is
    left): the person still logs in only through the member's own identity provider."""
    if not may_act_for(viewer, member_id, Act.DIRECTORY):
        raise NotFound("member", field="memberId")
    if member_id is not None:
        member = await session.get(Member, member_id)
        if member is None:
            raise NotFound("member", field="memberId")
        if member.status is MemberStatus.OFFBOARDED:
            raise IllegalTransition("An offboarded member gets no new users.", field="memberId")
    roles = list(roles)
    await _require_may_appoint(session, viewer, member_id, roles)
    address = normalize_email(email)
    if await session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict("A user with this email address exists already.", field="email")
    user = User(
        member_id=member_id,
        email=address,
        display_name=" ".join(display_name.split())[:200],
        roles=_require_roles(roles, member_id),
    )
    session.add(user)
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="user.invite",
        target_type="User",
        target_id=user.id,
        target_member_id=member_id,
        details={"email": address, "roles": user.roles},
    )
    return user


async def _require_may_appoint(
    session: AsyncSession, viewer: Viewer, member_id: uuid.UUID | None, roles: Iterable[Role]
) -> None:
    # Who holds power inside a member is its own admins' choice (Act.ROLES). The
    # secretariat appoints a member's admin only while it has none: onboarding, or
    # recovery after the last one left; otherwise it could appoint one and then
    # deactivate the member's own (DESIGN §3, invariant 6).
    if Role.MEMBER_ADMIN not in set(roles) or may_act_for(viewer, member_id, Act.ROLES):
        return
    if member_id is not None and await _active_admins(session, member_id):
        raise Forbidden(
            "This member has an admin: only its own admins appoint another.", field="roles"
        )


async def _active_admins(
    session: AsyncSession, member_id: uuid.UUID, *, besides: uuid.UUID | None = None
) -> list[User]:
    users = await session.scalars(
        select(User).where(
            User.member_id == member_id,
            User.id != besides if besides is not None else true(),
            User.status != UserStatus.DEACTIVATED,
        )
    )
    return [user for user in users if Role.MEMBER_ADMIN in user.role_set]


async def _require_another_admin(session: AsyncSession, user: User) -> None:
    """A member keeps at least one active member admin, or nobody could manage it."""
    if user.member_id is None or Role.MEMBER_ADMIN not in user.role_set:
        return
    if not await _active_admins(session, user.member_id, besides=user.id):
        raise IllegalTransition("A member keeps at least one member admin.", field="id")


async def set_roles(
    session: AsyncSession, *, viewer: Viewer, user_id: uuid.UUID, roles: Iterable[Role]
) -> User:
    """Replace a user's roles (admins of the user's own member; alliance admins for the
    secretariat's users only)."""
    user = _require_may(viewer, await session.get(User, user_id, with_for_update=True), Act.ROLES)
    new_roles = _require_roles(roles, user.member_id)
    if Role.MEMBER_ADMIN not in new_roles:
        await _require_another_admin(session, user)
    previous = user.roles
    user.roles = new_roles
    audit_service.record(
        session,
        viewer=viewer,
        action="user.roles_set",
        target_type="User",
        target_id=user.id,
        target_member_id=user.member_id,
        details={"from": previous, "to": new_roles},
    )
    return user


async def deactivate(session: AsyncSession, *, viewer: Viewer, user_id: uuid.UUID) -> User:
    """Deactivate a user: their tokens stop working and they can no longer log in.
    Alliance admins may deactivate any member's user in an emergency (it only narrows)."""
    user = _require_may(viewer, await session.get(User, user_id, with_for_update=True), Act.NARROW)
    if user.status is UserStatus.DEACTIVATED:
        raise IllegalTransition("This user is deactivated already.", field="id")
    await _require_another_admin(session, user)
    user.status = UserStatus.DEACTIVATED
    user.deactivated_at = utcnow()
    audit_service.record(
        session,
        viewer=viewer,
        action="user.deactivate",
        target_type="User",
        target_id=user.id,
        target_member_id=user.member_id,
    )
    return user


async def visible_by_ids(
    session: AsyncSession, *, viewer: Viewer, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, User]:
    """Users the viewer may see: themselves, and the users of members they administer."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(ids)))
    return {
        user.id: user
        for user in rows
        if user.id == viewer.principal_id or may_act_for(viewer, user.member_id, Act.DIRECTORY)
    }


async def of_members(
    session: AsyncSession, *, viewer: Viewer, member_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[User]]:
    """Each member's users by email, for the members among `member_ids` the viewer
    administers; the others are absent."""
    ids = {m for m in member_ids if may_act_for(viewer, m, Act.DIRECTORY)}
    found: dict[uuid.UUID, list[User]] = {m: [] for m in ids}
    if ids:
        rows = await session.scalars(
            select(User).where(User.member_id.in_(ids)).order_by(User.email)
        )
        for user in rows:
            if user.member_id is not None:
                found[user.member_id].append(user)
    return found


async def by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this address (for the command line and login; no viewer involved)."""
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def active_emails(session: AsyncSession, *, limit: int = 200) -> list[str]:
    """Email addresses of users who may log in, sorted (the dev-only demo login lists them)."""
    rows = await session.scalars(
        select(User.email)
        .where(User.status != UserStatus.DEACTIVATED)
        .order_by(User.email)
        .limit(limit)
    )
    return list(rows)
