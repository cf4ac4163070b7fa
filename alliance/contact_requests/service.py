"""Sending, answering and reading contact requests (docs/sharing.md, "Contact requests").

A member reaches the owner of a record it may list (by indicator id) or of records it
matched (by value, MATCH_ONLY included): one request per owner, about one of its
records. The sender never learns who the owner is from sending; the owner's member sees
the sender's name (the sender chose to reach out) and decides whether to answer. Only an
acceptance reveals the owner to the sender. A record the sender cannot reach is
`NotFound`, exactly like a missing one; so is a record whose owner has left the alliance
(nobody is left to answer). What a member that left sent or received is read as
alliance/members/departures.py says.

A request may instead go to a person of the expert directory (`expert_profile_id`): the
profile must be one the sender may list (`alliance.experts.reads`), and the request goes
to that person alone, not to their member's other people; the sender learns nothing of
who they are until they accept (their member's name and the contact email they chose).
Indicator requests need `indicators:write`; expert requests `expertise:read`. A profile
removed afterwards leaves its open requests with their recipient, who may still answer;
the sender's view never showed the profile's contents (docs/experts.md).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.audit import service as audit_service
from alliance.contact_requests.models import ContactRequest, ContactRequestStatus, ContactTarget
from alliance.contact_requests.targets import (
    received_by,
    require_contact_email,
    require_participant,
    sent_by,
)
from alliance.db import utcnow
from alliance.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from alliance.experts import reads as expert_reads
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator
from alliance.indicators.normalize import IndicatorValue, normalize
from alliance.indicators.reads import shown
from alliance.indicators.rules import require_writer, require_writing_member
from alliance.members.departures import FORMER_MEMBER, has_left, has_withdrawn
from alliance.members.models import Member
from alliance.users.models import User
from sharing import Scope, Viewer
from sharing.predicate import Reach
from sharing.session import REACH_OPTION

MAX_MESSAGE = 2000
MAX_LISTED = 100


def require_message(message: str, *, field: str = "message") -> str:
    """A message of 1 to 2,000 characters (surrounding spaces dropped)."""
    text = message.strip()
    if not 1 <= len(text) <= MAX_MESSAGE:
        raise InvalidInput(f"A message has 1 to {MAX_MESSAGE} characters.", field=field)
    return text


Reached = tuple[uuid.UUID, uuid.UUID, IndicatorKind, str]  # record, owner, kind, key


async def _reachable(
    session: AsyncSession,
    viewer: Viewer,
    member: uuid.UUID,
    *,
    by_id: uuid.UUID | None,
    key: tuple[IndicatorKind, str] | None,
) -> list[Reached]:
    """One record per other owner (its first by id), among those the viewer reaches; a
    member that has left is reached by nobody (nobody is left to answer)."""
    query = select(
        Indicator.id, Indicator.owner_member_id, Indicator.kind, Indicator.match_key
    ).where(
        shown(viewer),
        Indicator.owner_member_id != member,
        ~has_left(Indicator.owner_member_id),
    )
    if by_id is not None:  # an id: the record must be listable (ids come from lists)
        query = query.where(Indicator.id == by_id)
    elif key is not None:  # a value: every level, MATCH_ONLY included, as `match` answers
        query = query.where(Indicator.kind == key[0], Indicator.match_key == key[1])
        query = query.execution_options(**{REACH_OPTION: Reach.MATCH.value})
    else:
        return []
    owners: dict[uuid.UUID, Reached] = {}
    for record_id, owner, kind, match_key in await session.execute(query.order_by(Indicator.id)):
        owners.setdefault(owner, (record_id, owner, kind, match_key))
    return list(owners.values())


async def send(
    session: AsyncSession,
    *,
    viewer: Viewer,
    message: str,
    indicator_id: uuid.UUID | None = None,
    value: tuple[IndicatorKind, IndicatorValue] | None = None,
    expert_profile_id: uuid.UUID | None = None,
) -> list[ContactRequest]:
    """Requests to the owners of the record `indicator_id` (listable to the viewer) or of
    the records matching `value` (any level): one per owner, the viewer's own excluded;
    or one request to the person of the expert profile `expert_profile_id`.

    `NotFound` when there is none, whether missing or out of the viewer's reach;
    `Conflict` when the viewer's member already has an open request about one of them.
    """
    given = [t for t in (indicator_id, value, expert_profile_id) if t is not None]
    if len(given) != 1:
        field = "expertProfileId" if expert_profile_id is not None else "indicatorId"
        raise InvalidInput(
            "Give exactly one of an indicator id, a value or an expert profile id.", field=field
        )
    if expert_profile_id is not None:
        return [await _send_to_expert(session, viewer, message, expert_profile_id)]
    member = require_writer(viewer)
    text = require_message(message)
    key = None
    if value is not None:
        key = (value[0], normalize(value[0], value[1]).match_key)
    owners = await _reachable(session, viewer, member, by_id=indicator_id, key=key)
    if not owners:
        raise NotFound("indicator", field="indicatorId" if indicator_id else "value")
    records = [reached[0] for reached in owners]
    pending = await session.scalar(
        select(ContactRequest.id).where(
            ContactRequest.indicator_id.in_(records),
            ContactRequest.sender_member_id == member,
            ContactRequest.open.is_(True),
        )
    )
    if pending is not None:
        raise Conflict("Your member already has an open contact request about this record.")
    sent = []
    for record_id, owner, kind, match_key in owners:
        request = ContactRequest(
            id=uuid.uuid4(),
            indicator_id=record_id,
            owner_member_id=owner,
            kind=kind,
            match_key=match_key,
            sender_member_id=member,
            sender_principal_id=viewer.principal_id,
            message=text,
        )
        session.add(request)
        _audit(session, viewer, request, "contact_request.send")
        sent.append(request)
    await session.flush()
    return sent


async def _send_to_expert(
    session: AsyncSession, viewer: Viewer, message: str, profile_id: uuid.UUID
) -> ContactRequest:
    """One request to the person of a profile the viewer may list, of another member."""
    require_scope(viewer, Scope.EXPERTISE_READ)
    member = require_writing_member(viewer)
    text = require_message(message)
    found = (await expert_reads.by_ids(session, viewer=viewer, ids=[profile_id])).get(profile_id)
    if found is None or found.is_own:
        raise NotFound("expert profile", field="expertProfileId")
    pending = await session.scalar(
        select(ContactRequest.id).where(
            ContactRequest.expert_profile_id == profile_id,
            ContactRequest.sender_member_id == member,
            ContactRequest.open.is_(True),
        )
    )
    if pending is not None:
        raise Conflict(
            "Your member already has an open contact request to this expert.",
            field="expertProfileId",
        )
    request = ContactRequest(
        id=uuid.uuid4(),
        target=ContactTarget.EXPERT,
        expert_profile_id=profile_id,
        recipient_user_id=found.profile.user_id,
        owner_member_id=found.profile.owner_member_id,
        sender_member_id=member,
        sender_principal_id=viewer.principal_id,
        message=text,
    )
    session.add(request)
    _audit(session, viewer, request, "contact_request.send")
    await session.flush()
    return request


async def answer(
    session: AsyncSession,
    *,
    viewer: Viewer,
    request_id: uuid.UUID,
    accept: bool,
    message: str,
    contact_email: str | None = None,
) -> ContactRequest:
    """The recipient's answer to an open request to it (its member's, for an indicator;
    the person's own, for an expert); accepting reveals the owner's name and a contact
    email to the sender: `contact_email` if given, else the answering user's. `NotFound`
    for any request not sent to the viewer."""
    require_participant(viewer)
    text = require_message(message)
    chosen = None if contact_email is None else require_contact_email(contact_email)
    request = await session.scalar(
        select(ContactRequest)
        .where(
            ContactRequest.id == request_id,
            received_by(viewer),
            ~has_withdrawn(ContactRequest.sender_member_id),
        )
        .with_for_update()
    )
    if request is None:
        raise NotFound("contact request")
    if request.status is not ContactRequestStatus.OPEN:
        raise IllegalTransition("This contact request has been answered already.", field="id")
    request.status = ContactRequestStatus.ACCEPTED if accept else ContactRequestStatus.DECLINED
    request.open = None
    request.answered_at = utcnow()
    request.answer = text
    if accept:
        user = await session.get(User, viewer.principal_id)
        request.contact_email = chosen or (None if user is None else user.email)
    _audit(session, viewer, request, "contact_request.answer", {"status": request.status.value})
    await session.flush()
    return request


@dataclasses.dataclass(frozen=True, slots=True)
class VisibleContactRequest:
    """A request as its sender or its recipient sees it.

    `received`: sent to the viewer's member. `sender_name` is shown to the recipient
    only; `owner_name` to the sender only, once accepted. A member that has left is
    named "a former member"; an owner that has left gives no `contact_email`.
    """

    request: ContactRequest
    received: bool
    kind: IndicatorKind | None
    match_key: str | None
    sender_name: str | None
    owner_name: str | None
    contact_email: str | None = None


def as_sent(request: ContactRequest) -> VisibleContactRequest:
    """A request just sent, as its sender sees it: the owner is not named."""
    return VisibleContactRequest(request, False, request.kind, request.match_key, None, None)


def _other_party(received: bool) -> Any:
    return ContactRequest.sender_member_id if received else ContactRequest.owner_member_id


def _with_other_party(received: bool) -> Select[Any]:
    """Requests with the other party's name, as the viewer may see it; none with a member
    that left with WITHDRAW (alliance/members/departures.py)."""
    other = _other_party(received)
    name = case((has_left(other), FORMER_MEMBER), else_=Member.legal_name)
    return (
        select(ContactRequest, name.label("name"), has_left(other).label("left"))
        .join(Member, Member.id == other)
        .where(~has_withdrawn(other))
    )


def _visible(row: Any, received: bool) -> VisibleContactRequest:
    request: ContactRequest = row.ContactRequest
    accepted = request.status is ContactRequestStatus.ACCEPTED
    shows_owner = not received and accepted
    return VisibleContactRequest(
        request=request,
        received=received,
        kind=request.kind,
        match_key=request.match_key,
        sender_name=row.name if received else None,
        owner_name=row.name if shows_owner else None,
        # Set once accepted: the recipient's own user, or for the sender, whom to write
        # to; nobody to write to once the owner has left.
        contact_email=None if row.left and not received else request.contact_email,
    )


async def as_received(session: AsyncSession, request: ContactRequest) -> VisibleContactRequest:
    """A request to the viewer's member, as it sees it: the sender is named."""
    row = (
        await session.execute(_with_other_party(True).where(ContactRequest.id == request.id))
    ).one()
    return _visible(row, True)


async def listed(
    session: AsyncSession, *, viewer: Viewer, received: bool, first: int = 50
) -> list[VisibleContactRequest]:
    """Requests sent to the viewer (`received`: to its member about its indicators, to
    the person as an expert) or by the viewer's member, newest first; each kind only with
    its right (`indicators:write`, `expertise:read`)."""
    require_participant(viewer)
    if not 0 <= first <= MAX_LISTED:
        raise InvalidInput(f"`first` must be between 0 and {MAX_LISTED}.", field="first")
    mine = received_by(viewer) if received else sent_by(viewer)
    # The record itself is not read: the request keeps the value the sender reached it by.
    rows = await session.execute(
        _with_other_party(received)
        .where(mine)
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id)
        .limit(first)
    )
    return [_visible(row, received) for row in rows]


def _audit(
    session: AsyncSession,
    viewer: Viewer,
    request: ContactRequest,
    action: str,
    details: dict[str, str] | None = None,
) -> None:
    audit_service.record(
        session,
        viewer=viewer,
        action=action,
        target_type="ContactRequest",
        target_id=request.id,
        target_member_id=request.owner_member_id,
        details=details,
    )
