"""Who a contact request reaches and who may see it, per kind of target, written once.

| target | received by | sent by | right |
|---|---|---|---|
| INDICATOR | the owner member's people | the sender member's people | `indicators:write` |
| EXPERT | the profile's person alone | the sender member's people | `expertise:read` |
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, and_, false, or_

from alliance.contact_requests.models import ContactRequest, ContactTarget
from alliance.errors import Forbidden, InvalidInput
from alliance.indicators.rules import require_writing_member
from sharing import PrincipalKind, Scope, Viewer

RIGHTS = (Scope.INDICATORS_WRITE, Scope.EXPERTISE_READ)


def require_participant(viewer: Viewer) -> None:
    """`Forbidden` unless the viewer's member is active and agreed and the viewer holds
    the right of at least one kind of request."""
    if not any(viewer.has_scope(scope) for scope in RIGHTS):
        raise Forbidden("This operation needs the `indicators:write` or `expertise:read` right.")
    require_writing_member(viewer)


def _kinds(viewer: Viewer) -> list[ContactTarget]:
    kinds = []
    if viewer.has_scope(Scope.INDICATORS_WRITE):
        kinds.append(ContactTarget.INDICATOR)
    if viewer.has_scope(Scope.EXPERTISE_READ):
        kinds.append(ContactTarget.EXPERT)
    return kinds


def received_by(viewer: Viewer) -> ColumnElement[bool]:
    """Requests sent to the viewer: its member's, about indicators; its own, as an expert."""
    conditions = []
    for kind in _kinds(viewer):
        if kind is ContactTarget.INDICATOR:
            mine = ContactRequest.owner_member_id == viewer.member_id
        elif viewer.kind is PrincipalKind.USER:
            mine = ContactRequest.recipient_user_id == viewer.principal_id
        else:
            continue
        conditions.append(and_(ContactRequest.target == kind, mine))
    return or_(false(), *conditions)


def sent_by(viewer: Viewer) -> ColumnElement[bool]:
    """Requests the viewer's member sent, of the kinds the viewer has the right of."""
    return and_(
        ContactRequest.sender_member_id == viewer.member_id,
        ContactRequest.target.in_(_kinds(viewer)),
    )


def require_contact_email(email: str) -> str:
    """The address an accepting recipient gives the sender, normalised; `InvalidInput`
    naming `contactEmail` for anything that is not an address."""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidInput("This is not an email address.", field="contactEmail") from None
