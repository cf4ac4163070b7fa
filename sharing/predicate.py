"""The one read predicate, in SQL, derived from the rule table of `sharing.policy`.

`visible_to(model, viewer, levels)` is true for exactly the rows where
`level_for(viewer, owner, effective audience)` is one of `levels` or the viewer owns the
row. It is built from the same pieces as `level_for`: `viewer_target_keys` (the
GRANT_MATCH table), the owner rule, the "active and agreed" rule and excludes, so the
Python decision and the SQL filter cannot drift. Every ORM read of a viewer session gets
it (`sharing.session`); Core paths (bulk, feed, exports) call it themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, exists, false, or_

from sharing.audience import LISTABLE_LEVELS, Level
from sharing.policy import ViewerFacts, viewer_target_keys
from sharing.storage import Shareable, tables_of


class Reach(enum.StrEnum):
    """Which levels a read may return besides the viewer's own records."""

    LIST = "list"  # lists, node, nested fields, counts: FULL and ANONYMOUS
    MATCH = "match"  # the match path: every level, MATCH_ONLY included
    FULL = "full"  # the owner-naming test of a row already visible

    @property
    def levels(self) -> frozenset[Level]:
        return _REACH_LEVELS[self]


_REACH_LEVELS = {
    Reach.LIST: LISTABLE_LEVELS,
    Reach.MATCH: frozenset(Level),
    Reach.FULL: frozenset({Level.FULL}),
}


def granted_to(
    model: type[Shareable], viewer: ViewerFacts, levels: Iterable[Level]
) -> ColumnElement[bool]:
    """Some grant reaching `viewer` at one of `levels`, and no exclude of it (not owner)."""
    if viewer.member_id is None or not viewer.can_read_shared:
        return false()
    tables = tables_of(model)
    grants, excludes = tables.grants, tables.excludes
    keys = sorted(viewer_target_keys(viewer))
    reaches = or_(
        *(
            and_(grants.c.target_kind == kind.value, grants.c.target_key == key)
            for kind, key in keys
        )
    )
    wanted = sorted(level.value for level in levels)
    granted = exists().where(grants.c.record_id == model.id, reaches, grants.c.level.in_(wanted))
    excluded = exists().where(
        excludes.c.record_id == model.id, excludes.c.member_id == viewer.member_id
    )
    return and_(granted, ~excluded)


def visible_to(
    model: type[Shareable], viewer: ViewerFacts, reach: Reach = Reach.LIST
) -> ColumnElement[bool]:
    """Rows of `model` that `viewer` owns or is granted at a level of `reach`.

    A viewer without a member (secretariat, system) matches nothing (invariant 6); one
    that is not active and agreed matches its own rows only (invariant 5).
    """
    if viewer.member_id is None:
        return false()
    owned = model.owner_member_id == viewer.member_id
    if not viewer.can_read_shared:
        return owned
    return or_(owned, granted_to(model, viewer, reach.levels))
