"""Who may read the member directory, and which of its entries (DESIGN §2, §3 invariant 5-6)."""

from __future__ import annotations

import enum

from sharing.principals import MEMBER_STATUSES_THAT_AUTHENTICATE, Viewer


class DirectoryScope(enum.Enum):
    EVERY_MEMBER = "every member, whatever its status"
    ACTIVE_AND_OWN = "active members and the viewer's own"
    OWN_ONLY = "the viewer's own member"
    NOTHING = "nothing"


def directory_scope(viewer: Viewer) -> DirectoryScope:
    """The part of the member directory `viewer` may read.

    Alliance admins administer membership and see every member. A member that is active and
    has accepted the current agreement sees the active members. An invited (or unagreed)
    member sees only itself, enough to accept the agreement.
    """
    if viewer.is_alliance_admin:
        return DirectoryScope.EVERY_MEMBER
    if viewer.member_id is None:
        return DirectoryScope.NOTHING
    if viewer.can_read_shared:
        return DirectoryScope.ACTIVE_AND_OWN
    if viewer.member_status in MEMBER_STATUSES_THAT_AUTHENTICATE:
        return DirectoryScope.OWN_ONLY
    return DirectoryScope.NOTHING
