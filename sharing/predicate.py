"""The one read predicate, in SQL, derived from the rule table of `sharing.policy`.

For a row of a shareable model, the predicate is true exactly when the viewer owns the
row, or `level_for(viewer, owner, effective audience)` is one of the levels asked for:

    owner_member_id = :member
    OR (:can_read_shared
        AND (expires_at IS NULL OR expires_at > :now)     -- models registered with expiry
        AND audience_keys overlaps :wanted    -- <level>:<kind>:<key> for each level asked
                                              -- for and each row of GRANT_MATCH
        AND NOT audience_keys overlaps :excluded)         -- EXCLUDE:<the viewer's member>

`audience_keys` is the record's stored effective audience flattened into the row
(`sharing.audience_keys`), kept equal to its grants and excludes rows by triggers. Every
test is on the row itself: a page walks the index of its ordering and filters, so its
cost follows the page, whatever the table's size, with one plan for every viewer.

Expiry is part of the predicate (not a status a job sets later) so that a record leaves
every other member's view the moment it expires, through every output path at once; its
owner still sees it (docs/retention.md).

It is built by one function, `_build`, from the same pieces as `level_for`: GRANT_MATCH
through `viewer_keys_by_kind`, the owner rule, "active and agreed" (`can_read_shared`)
and excludes, so the Python decision and the SQL filter cannot drift. Its structure is
the same for every viewer; only values differ. `visible_to` inlines a viewer's values
(Core paths, owner-naming columns); `bound_visible` uses named bind parameters whose
values `viewer_parameters` supplies: that is what the viewer session attaches to every
ORM SELECT, aliases included (sharing.session).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Uuid,
    and_,
    bindparam,
    literal,
    not_,
    or_,
    true,
)

from sharing.audience import LISTABLE_LEVELS, Level
from sharing.audience_keys import KeyList, exclude_key, grant_key, overlap
from sharing.policy import GRANT_MATCH, ViewerFacts, viewer_keys_by_kind
from sharing.storage import Shareable, tables_of


class Reach(enum.StrEnum):
    """Which levels a read may return besides the viewer's own records."""

    LIST = "list"  # lists, node, nested fields, counts: FULL and ANONYMOUS
    MATCH = "match"  # the match path: every level, MATCH_ONLY included
    FULL = "full"  # where the owner is named

    @property
    def levels(self) -> frozenset[Level]:
        return _REACH_LEVELS[self]


_REACH_LEVELS = {
    Reach.LIST: LISTABLE_LEVELS,
    Reach.MATCH: frozenset(Level),
    Reach.FULL: frozenset({Level.FULL}),
}

_MEMBER = "sharing_member"
_CAN_READ = "sharing_can_read_shared"
_NOW = "sharing_now"
_EXCLUDED = "sharing_excluded"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Parameter names are literals: with_loader_criteria traces the functions below, and a
# name computed from a traced value would not be a plain string.
_WANTED = {
    Reach.LIST: "sharing_wanted_list",
    Reach.MATCH: "sharing_wanted_match",
    Reach.FULL: "sharing_wanted_full",
}


def wanted_keys(viewer: ViewerFacts | None, levels: frozenset[Level]) -> list[str]:
    """The audience keys of every grant that reaches `viewer` at one of `levels`: one per
    level and row of GRANT_MATCH (none for a kind the viewer has no key of)."""
    keys = {} if viewer is None else viewer_keys_by_kind(viewer)
    return sorted(
        grant_key(level, kind, key)
        for kind in GRANT_MATCH
        if (key := keys.get(kind)) is not None
        for level in levels
    )


def _excluded_keys(viewer: ViewerFacts | None) -> list[str]:
    if viewer is None or viewer.member_id is None:
        return []
    return [exclude_key(viewer.member_id)]


def _build(
    entity: Any,
    member: Any,
    wanted: Any,
    excluded: Any,
    can_read_shared: Any,
    now: Any,
) -> ColumnElement[bool]:
    # `entity` may be a model, an alias of one, or SQLAlchemy's wrapper around either.
    tables = tables_of(entity.id.parent.mapper.class_)
    expiry = None if tables.expires is None else getattr(entity, tables.expires)
    return _rule(
        entity.owner_member_id,
        entity.audience_keys,
        expiry,
        member,
        wanted,
        excluded,
        can_read_shared,
        now,
    )


def _rule(
    owner: Any,
    keys: Any,
    expiry: Any | None,
    member: Any,
    wanted: Any,
    excluded: Any,
    can_read_shared: Any,
    now: Any,
) -> ColumnElement[bool]:
    # The predicate over the row's own columns: a record's table, or a log of its states.
    current: ColumnElement[bool] = true()
    if expiry is not None:
        current = or_(expiry.is_(None), expiry > now)
    granted = overlap(keys, wanted)
    return or_(
        owner == member,
        and_(can_read_shared, current, granted, not_(overlap(keys, excluded))),
    )


def visible_to(
    entity: type[Shareable] | Any,
    viewer: ViewerFacts,
    reach: Reach = Reach.LIST,
    *,
    now: dt.datetime | None = None,
) -> ColumnElement[bool]:
    """Rows of `entity` (a shareable model or an alias of one) that `viewer` owns or is
    granted at a level of `reach`, with the viewer's values inlined as parameters.

    A viewer without a member matches nothing (invariant 6); one that is not active and
    agreed matches its own rows only (invariant 5). Others' records whose expiry is not
    after `now` (default: the clock) match nothing either.
    """
    can_read = viewer.member_id is not None and viewer.can_read_shared
    return _build(
        entity,
        literal(viewer.member_id, Uuid()),
        literal(wanted_keys(viewer, reach.levels), KeyList()),
        literal(_excluded_keys(viewer), KeyList()),
        literal(can_read, Boolean()),
        literal(now or _utcnow(), DateTime(timezone=True)),
    )


def logged_visible_to(
    log: Any, viewer: ViewerFacts, reach: Reach = Reach.LIST
) -> ColumnElement[bool]:
    """Rows of a change log (columns `owner_member_id`, `audience_keys`, `expires_at`,
    `at`: a record's state and when it was written) whose state `viewer` could see at
    the moment it was written, by the same rule as `visible_to`, with the viewer's facts
    of now. For the feed: a viewer may be told a record left its view only if some
    logged state of it was visible (DESIGN §4.3)."""
    can_read = viewer.member_id is not None and viewer.can_read_shared
    return _rule(
        log.owner_member_id,
        log.audience_keys,
        log.expires_at,
        literal(viewer.member_id, Uuid()),
        literal(wanted_keys(viewer, reach.levels), KeyList()),
        literal(_excluded_keys(viewer), KeyList()),
        literal(can_read, Boolean()),
        log.at,
    )


def bound_visible(reach: Reach) -> Callable[[Any], ColumnElement[bool]]:
    """The predicate of `reach` over named bind parameters, for `with_loader_criteria`:
    the same SQL for every viewer, so SQLAlchemy may cache it; `viewer_parameters` gives
    the values."""
    return _BOUND[reach]


def viewer_parameters(
    viewer: ViewerFacts | None, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Values of `bound_visible`'s parameters for `viewer` at `now` (default: the clock);
    None (no viewer) sees nothing."""
    values: dict[str, Any] = {_WANTED[reach]: wanted_keys(viewer, reach.levels) for reach in Reach}
    values[_EXCLUDED] = _excluded_keys(viewer)
    values[_MEMBER] = None if viewer is None else viewer.member_id
    values[_CAN_READ] = (
        viewer is not None and viewer.member_id is not None and viewer.can_read_shared
    )
    values[_NOW] = now or _utcnow()
    return values


def _bound_build(entity: Any, wanted: str) -> ColumnElement[bool]:
    return _build(
        entity,
        bindparam(_MEMBER, type_=Uuid()),
        bindparam(wanted, type_=KeyList()),
        bindparam(_EXCLUDED, type_=KeyList()),
        bindparam(_CAN_READ, type_=Boolean()),
        bindparam(_NOW, type_=DateTime(timezone=True)),
    )


# One closure-free function per reach: with_loader_criteria calls it with the entity or
# alias being loaded and may cache the SQL it returns (it is the same for every viewer).
def _bound_list(entity: Any) -> ColumnElement[bool]:
    return _bound_build(entity, "sharing_wanted_list")


def _bound_match(entity: Any) -> ColumnElement[bool]:
    return _bound_build(entity, "sharing_wanted_match")


def _bound_full(entity: Any) -> ColumnElement[bool]:
    return _bound_build(entity, "sharing_wanted_full")


_BOUND: dict[Reach, Callable[[Any], ColumnElement[bool]]] = {
    Reach.LIST: _bound_list,
    Reach.MATCH: _bound_match,
    Reach.FULL: _bound_full,
}
