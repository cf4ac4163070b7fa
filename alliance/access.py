"""Who may act for a member, and how: the one rule every membership service asks.

DESIGN §3, invariant 6: the secretariat administers membership but never becomes a member.

| act | the member's own admins | alliance admins |
|---|---|---|
| DIRECTORY (people, brands) | yes | yes (onboarding, recovery) |
| NARROW (revoke a client, deactivate a user) | yes | yes (an emergency) |
| ONBOARDING_LOGIN (an invited member's first identity provider) | yes | yes |
| CREDENTIALS (clients, identity provider) | yes | no |
| ROLES (who holds power inside the member) | yes | no |
| POLICY (set or read its sharing policy) | yes | no |

Alliance admins invite a member's people, but appoint a member admin only while the
member has none (alliance/users/service.py), so that they never choose who holds power
inside a member that has its own admins.

For the secretariat itself (`member_id` None) alliance admins may do everything; member
admins nothing. The operator's command line (the system principal, which never reaches the
API) may do everything. Moving a member along its status machine needs `alliance:admin`
(`require_scope`).
"""

from __future__ import annotations

import enum
import uuid

from alliance.errors import Forbidden
from sharing import Scope, Viewer


def require_scope(viewer: Viewer, scope: Scope) -> None:
    """Raise `Forbidden` unless the viewer's effective scopes include `scope`."""
    if not viewer.has_scope(scope):
        raise Forbidden(f"This operation needs the `{scope}` right.")


class Act(enum.Enum):
    """What a viewer may want to do for a member (see the table above)."""

    DIRECTORY = "invite its people, record its brands, see its people"
    NARROW = "revoke one of its clients or deactivate one of its users"
    ONBOARDING_LOGIN = "register the first identity provider of an invited member"
    CREDENTIALS = "create, rotate, list or read its clients and its identity provider"
    ROLES = "change the roles of its people"
    POLICY = "set or read its sharing policy"


# Only ever narrowing, or needed before the member has anyone who could do it.
_ALLIANCE_ADMINS_MAY = frozenset({Act.DIRECTORY, Act.NARROW, Act.ONBOARDING_LOGIN})


def may_act_for(viewer: Viewer, member_id: uuid.UUID | None, act: Act) -> bool:
    """Whether `viewer` may do `act` for the member `member_id` (None: the secretariat)."""
    if viewer.is_system:
        return True
    if member_id is None:
        return viewer.is_alliance_admin
    if viewer.member_id == member_id and viewer.has_scope(Scope.MEMBERS_MANAGE):
        return True
    return viewer.is_alliance_admin and act in _ALLIANCE_ADMINS_MAY
