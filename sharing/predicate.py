"""The one read predicate, in SQL, derived from the rule table of `sharing.policy`.

For a row of a shareable model, the predicate is true exactly when the viewer owns the
row, or `level_for(viewer, owner, effective audience)` is one of the levels asked for:

    owner_member_id = :member
    OR (:can_read_shared
        AND (expires_at IS NULL OR expires_at > :now)     -- models registered with expiry
        AND EXISTS (grant of the row whose (target_kind, target_key) is one of the
                    viewer's keys -- one disjunct per row of GRANT_MATCH -- at a level
                    asked for)
        AND NOT EXISTS (exclude of the row naming :member))

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
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    String,
    Uuid,
    and_,
    bindparam,
    exists,
    literal,
    or_,
    true,
)

from sharing.audience import LISTABLE_LEVELS, Level, TargetKind
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


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_parameter(kind: TargetKind) -> str:
    return f"sharing_key_{kind.value}"


def _build(
    entity: Any,
    member: Any,
    keys: Mapping[TargetKind, Any],
    can_read_shared: Any,
    levels: frozenset[Level],
    now: Any,
) -> ColumnElement[bool]:
    # `entity` may be a model, an alias of one, or SQLAlchemy's wrapper around either.
    tables = tables_of(entity.id.parent.mapper.class_)
    current: ColumnElement[bool] = true()
    if tables.expires is not None:
        expiry = getattr(entity, tables.expires)
        current = or_(expiry.is_(None), expiry > now)
    grants, excludes = tables.grants, tables.excludes
    reaches = or_(
        *(
            and_(grants.c.target_kind == kind.value, grants.c.target_key == keys[kind])
            for kind in GRANT_MATCH
        )
    )
    wanted = sorted(level.value for level in levels)
    granted = exists().where(grants.c.record_id == entity.id, reaches, grants.c.level.in_(wanted))
    excluded = exists().where(excludes.c.record_id == entity.id, excludes.c.member_id == member)
    return or_(entity.owner_member_id == member, and_(can_read_shared, current, granted, ~excluded))


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
    keys = viewer_keys_by_kind(viewer)
    can_read = viewer.member_id is not None and viewer.can_read_shared
    return _build(
        entity,
        literal(viewer.member_id, Uuid()),
        keys,
        literal(can_read, Boolean()),
        reach.levels,
        literal(now or _utcnow(), DateTime(timezone=True)),
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
    keys = {} if viewer is None else viewer_keys_by_kind(viewer)
    values: dict[str, Any] = {_key_parameter(kind): keys.get(kind) for kind in GRANT_MATCH}
    values[_MEMBER] = None if viewer is None else viewer.member_id
    values[_CAN_READ] = (
        viewer is not None and viewer.member_id is not None and viewer.can_read_shared
    )
    values[_NOW] = now or _utcnow()
    return values


def _bound_build(entity: Any, reach: Reach) -> ColumnElement[bool]:
    keys = {kind: bindparam(_key_parameter(kind), type_=String()) for kind in GRANT_MATCH}
    return _build(
        entity,
        bindparam(_MEMBER, type_=Uuid()),
        keys,
        bindparam(_CAN_READ, type_=Boolean()),
        reach.levels,
        bindparam(_NOW, type_=DateTime(timezone=True)),
    )


# One closure-free function per reach: with_loader_criteria calls it with the entity or
# alias being loaded and may cache the SQL it returns (it is the same for every viewer).
def _bound_list(entity: Any) -> ColumnElement[bool]:
    return _bound_build(entity, Reach.LIST)


def _bound_match(entity: Any) -> ColumnElement[bool]:
    return _bound_build(entity, Reach.MATCH)


def _bound_full(entity: Any) -> ColumnElement[bool]:
    return _bound_build(entity, Reach.FULL)


_BOUND: dict[Reach, Callable[[Any], ColumnElement[bool]]] = {
    Reach.LIST: _bound_list,
    Reach.MATCH: _bound_match,
    Reach.FULL: _bound_full,
}
