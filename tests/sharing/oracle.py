"""A small, independent oracle of DESIGN §3 for one viewer and one record.

Written from the design text, not from sharing/: it decides per viewer, with no target
algebra, no clipping of grants and no SQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

STRENGTH = {"MATCH_ONLY": 1, "ANONYMOUS": 2, "FULL": 3}
LISTABLE = {"FULL", "ANONYMOUS"}


@dataclass(frozen=True)
class Person:
    """A viewer as the design describes one: its member, home region and standing."""

    member_id: uuid.UUID | None
    region: str | None
    active: bool = True
    agreed: bool = True


def reaches(target: str, person: Person) -> bool:
    """Whether a grant to `target` ("alliance", "region:EU", "member:<id>") reaches `person`."""
    if target == "alliance":
        return True
    kind, _, key = target.partition(":")
    if kind == "region":
        return person.region == key
    return person.member_id is not None and str(person.member_id) == key


def level_from(grants: dict[str, str], person: Person) -> str | None:
    """The strongest level among the grants that reach `person`."""
    found = [level for target, level in grants.items() if reaches(target, person)]
    return max(found, key=STRENGTH.__getitem__, default=None)


def weaker(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return None
    return a if STRENGTH[a] <= STRENGTH[b] else b


def oracle_level(
    person: Person,
    *,
    owner: uuid.UUID,
    grants: dict[str, str],
    excludes: set[uuid.UUID],
    ceiling: dict[str, str] | None = None,
    expired: bool = False,
) -> str | None:
    """What `person` gets of a record: owner FULL; nobody else once it expired; nobody
    without a member, inactive or unagreed, or excluded; else the requested level,
    clipped per person to the ceiling's."""
    if person.member_id is not None and person.member_id == owner:
        return "FULL"
    if expired:
        return None
    if person.member_id is None or not (person.active and person.agreed):
        return None
    if person.member_id in excludes:
        return None
    level = level_from(grants, person)
    if ceiling is not None:
        level = weaker(level, level_from(ceiling, person))
    return level


def is_listable(level: str | None) -> bool:
    return level in LISTABLE
