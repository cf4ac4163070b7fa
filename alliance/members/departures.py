"""What the alliance still shows of a member that has left (DESIGN §3, invariant 7).

A member that is offboarded leaves nothing attributable:

- `WITHDRAW`: everything it wrote leaves every other view. Its own records lose their
  stored grants at offboarding (`sharing.storage.withdraw_owner`); what it wrote about
  others' records (sightings, links) and the contact requests it sent or received are
  kept out of every read by `has_withdrawn`, counts included.
- `RETAIN`: what it wrote stays, attributed to `FORMER_MEMBER`: its name, id, brands and
  region are never shown, and no filter selects by them (`has_left`).

Both rules are SQL conditions over a column holding a member id, so each read applies them
in its own statement, once per row, like the read predicate. The members that have left
are few, so each condition is one uncorrelated subquery over them.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import QueryableAttribute, aliased

from alliance.members.models import DataDisposition, Member
from sharing import MemberStatus

FORMER_MEMBER = "a former member"


@functools.cache
def _gone() -> Any:
    # An alias: a statement that joins `members` itself must not correlate with this one.
    # Made once: an alias built per call costs a copy of every column of `members` each
    # time, several times per page (docs/performance.md). Made at first use, not at import:
    # an alias needs every mapper configured, `Region` included, which an import of this
    # module alone (a script, a bench) does not give.
    return aliased(Member, name="departed_member")


def _departed(disposition: DataDisposition | None = None) -> Select[uuid.UUID]:
    gone = _gone()
    query = select(gone.id).where(gone.status == MemberStatus.OFFBOARDED)
    if disposition is not None:
        query = query.where(gone.data_disposition == disposition)
    return query


MemberColumn = ColumnElement[uuid.UUID] | QueryableAttribute[uuid.UUID]


def has_left(member_id: MemberColumn) -> ColumnElement[bool]:
    """True where `member_id` is a member that was offboarded, whatever it decided for its
    data: what it wrote is never attributed to it again."""
    return member_id.in_(_departed())


def has_withdrawn(member_id: MemberColumn) -> ColumnElement[bool]:
    """True where `member_id` is a member offboarded with WITHDRAW: what it wrote is shown
    to nobody and counted nowhere."""
    return member_id.in_(_departed(DataDisposition.WITHDRAW))
