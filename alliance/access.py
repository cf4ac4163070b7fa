"""Rights checks shared by the membership services (who may administer what)."""

from __future__ import annotations

import uuid

from alliance.errors import Forbidden
from sharing import Scope, Viewer


def require_scope(viewer: Viewer, scope: Scope) -> None:
    """Raise `Forbidden` unless the viewer's effective scopes include `scope`."""
    if not viewer.has_scope(scope):
        raise Forbidden(f"This operation needs the `{scope}` right.")


def can_administer_member(viewer: Viewer, member_id: uuid.UUID | None) -> bool:
    """Alliance admins administer every member; member admins only their own."""
    if viewer.is_alliance_admin:
        return True
    return (
        viewer.has_scope(Scope.MEMBERS_MANAGE)
        and member_id is not None
        and viewer.member_id == member_id
    )
