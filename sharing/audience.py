"""Audiences: who may see a shareable record, and how much of it (DESIGN §3).

An audience is a set of grants (a target and a level) and a set of excluded members.
This module holds that vocabulary, its algebra (strongest level, intersection of
targets, clipping a grant to a limit) and the compact text form of the API and policies:

    alliance=FULL, region:EU=ANONYMOUS, member:<uuid>=MATCH_ONLY, exclude:<uuid>

The rules that turn a requested audience into the stored one live in `sharing.policy`.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar, TypeAlias

from sharing.errors import InvalidSharingInput


class Level(enum.StrEnum):
    """How much of a record a viewer gets, strongest first.

    Compare levels with `strength`, `strongest()` or `capped_at()`, never with `<`: as
    strings, "ANONYMOUS" sorts before "FULL".
    """

    FULL = "FULL"  # everything, owner named
    ANONYMOUS = "ANONYMOUS"  # everything but the owner's identity
    MATCH_ONLY = "MATCH_ONLY"  # never listed: only tells a holder it matches

    @property
    def strength(self) -> int:
        """Higher is stronger: FULL 3, ANONYMOUS 2, MATCH_ONLY 1."""
        return _STRENGTH[self]

    @property
    def is_listable(self) -> bool:
        """Whether records seen at this level appear in lists, `node`, feed, exports."""
        return self in LISTABLE_LEVELS

    def capped_at(self, ceiling: Level) -> Level:
        """This level, lowered to `ceiling` where it is stronger."""
        return self if self.strength <= ceiling.strength else ceiling


_STRENGTH = {Level.FULL: 3, Level.ANONYMOUS: 2, Level.MATCH_ONLY: 1}

# Upward closed: a viewer's strongest level is listable iff some grant reaching it is,
# which is what lets the list predicate be a plain EXISTS (docs/sharing.md).
LISTABLE_LEVELS = frozenset({Level.FULL, Level.ANONYMOUS})


def strongest(levels: Iterable[Level]) -> Level | None:
    """The strongest of `levels`, or None when there are none."""
    return max(levels, key=lambda level: level.strength, default=None)


def parse_level(text: str) -> Level:
    """The level named by `text`, in any letter case."""
    try:
        return Level(text.strip().upper())
    except ValueError:
        names = ", ".join(Level)
        message = f"Unknown level {text!r}; expected one of {names}."
        raise InvalidSharingInput(message, "audience") from None


class Tlp(enum.StrEnum):
    """Traffic Light Protocol 2.0 label of a record."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER_STRICT"
    RED = "RED"

    @property
    def label(self) -> str:
        """The label as TLP 2.0 writes it, e.g. "TLP:AMBER+STRICT"."""
        return "TLP:" + self.value.replace("_", "+")


def parse_tlp(text: str) -> Tlp:
    """The TLP label in `text`: "TLP:AMBER+STRICT", "amber+strict", "AMBER_STRICT".

    TLP 1.0's WHITE is read as CLEAR, its TLP 2.0 successor.
    """
    name = text.strip().upper().removeprefix("TLP:").replace("+", "_")
    if name == "WHITE":
        return Tlp.CLEAR
    try:
        return Tlp(name)
    except ValueError:
        message = f"Unknown TLP label {text!r}; expected one of CLEAR, GREEN, AMBER, "
        raise InvalidSharingInput(message + "AMBER+STRICT, RED.", "tlp") from None


class TargetKind(enum.StrEnum):
    """What a grant is given to; the values are the stored `target_kind`."""

    ALLIANCE = "alliance"
    REGION = "region"
    MEMBER = "member"


_REGION_CODE = re.compile(r"[A-Z][A-Z0-9_-]{0,31}")


@dataclass(frozen=True, slots=True)
class AllianceTarget:
    """Every active member of the alliance."""

    kind: ClassVar[TargetKind] = TargetKind.ALLIANCE

    @property
    def key(self) -> str:
        return ""

    def __str__(self) -> str:
        return "alliance"


@dataclass(frozen=True, slots=True)
class RegionTarget:
    """Every active member whose home region is `code` (upper case, e.g. "EU")."""

    code: str
    kind: ClassVar[TargetKind] = TargetKind.REGION

    def __post_init__(self) -> None:
        if not _REGION_CODE.fullmatch(self.code):
            message = f"{self.code!r} is not a region code (upper case, like EU)."
            raise InvalidSharingInput(message, "audience")

    @property
    def key(self) -> str:
        return self.code

    def __str__(self) -> str:
        return f"region:{self.code}"


@dataclass(frozen=True, slots=True)
class MemberTarget:
    """One member, if active."""

    member_id: uuid.UUID
    kind: ClassVar[TargetKind] = TargetKind.MEMBER

    @property
    def key(self) -> str:
        return str(self.member_id)

    def __str__(self) -> str:
        return f"member:{self.member_id}"


Target: TypeAlias = AllianceTarget | RegionTarget | MemberTarget
TargetKey: TypeAlias = tuple[TargetKind, str]

ALLIANCE = AllianceTarget()
_KIND_ORDER = {kind: position for position, kind in enumerate(TargetKind)}


def target_key(target: Target) -> TargetKey:
    """The (target_kind, target_key) a grant to `target` is stored and matched under."""
    return (target.kind, target.key)


def target_from_key(kind: str, key: str) -> Target:
    """The target a grant stored under (`kind`, `key`) is given to: `target_key` reversed."""
    if kind == TargetKind.ALLIANCE:
        return ALLIANCE
    if kind == TargetKind.REGION:
        return RegionTarget(key)
    return MemberTarget(uuid.UUID(key))


def _parse_member_id(text: str, field_name: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        message = f"{text!r} is not a member id (a UUID)."
        raise InvalidSharingInput(message, field_name) from None


def parse_target(text: str) -> Target:
    """The target written as "alliance", "region:<code>" or "member:<uuid>"."""
    kind, separator, key = (part.strip() for part in text.strip().partition(":"))
    kind = kind.lower()
    if kind == TargetKind.ALLIANCE and not separator:
        return ALLIANCE
    if kind == TargetKind.REGION and key:
        return RegionTarget(key.upper())
    if kind == TargetKind.MEMBER and key:
        return MemberTarget(_parse_member_id(key, "audience"))
    message = f"Unknown target {text!r}; expected alliance, region:<code>, member:<id>."
    raise InvalidSharingInput(message, "audience")


@dataclass(frozen=True, slots=True)
class Grant:
    """`target` may see the record at `level`."""

    target: Target
    level: Level

    def __str__(self) -> str:
        return f"{self.target}={self.level}"


def parse_grant(text: str) -> Grant:
    """The grant written as "<target>=<level>", e.g. "region:EU=ANONYMOUS"."""
    target, separator, level = text.partition("=")
    if not separator:
        message = f"Grant {text!r} has no level; write it as <target>=<level>."
        raise InvalidSharingInput(message, "audience")
    return Grant(parse_target(target), parse_level(level))


def _grant_order(grant: Grant) -> tuple[int, str, int]:
    return (_KIND_ORDER[grant.target.kind], grant.target.key, -grant.level.strength)


def normalize_grants(grants: Iterable[Grant]) -> frozenset[Grant]:
    """The same grants, one per target (the strongest): every viewer keeps its level."""
    best: dict[TargetKey, Grant] = {}
    for grant in grants:
        key = target_key(grant.target)
        kept = best.get(key)
        if kept is None or grant.level.strength > kept.level.strength:
            best[key] = grant
    return frozenset(best.values())


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may see a record besides its owner. The empty audience: the owner only."""

    grants: frozenset[Grant] = frozenset()
    excludes: frozenset[uuid.UUID] = frozenset()

    def __str__(self) -> str:
        return format_audience(self)


PRIVATE = Audience()

_EXCLUDE = "exclude:"


def format_audience(audience: Audience) -> str:
    """The compact text form; `parse_audience` reads it back to an equal audience."""
    grants = [str(grant) for grant in sorted(audience.grants, key=_grant_order)]
    excludes = [f"{_EXCLUDE}{member}" for member in sorted(audience.excludes)]
    return ", ".join(grants + excludes)


def parse_audience(text: str) -> Audience:
    """The audience written as comma-separated grants and "exclude:<uuid>" items.

    The empty string is the owner-only audience.
    """
    grants: set[Grant] = set()
    excludes: set[uuid.UUID] = set()
    for item in (part.strip() for part in text.split(",")):
        if item.lower().startswith(_EXCLUDE):
            excludes.add(_parse_member_id(item[len(_EXCLUDE) :].strip(), "audience"))
        elif item:
            grants.add(parse_grant(item))
    return Audience(frozenset(grants), frozenset(excludes))


@dataclass(frozen=True, slots=True)
class AllianceRegions:
    """What the audience algebra must know: the regions and each member's home."""

    regions: frozenset[str] = frozenset()
    home_regions: Mapping[uuid.UUID, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A read-only copy: a policy decision must not change under the caller's feet.
        frozen = MappingProxyType(dict(self.home_regions))
        object.__setattr__(self, "home_regions", frozen)

    def home_region_of(self, member_id: uuid.UUID) -> str | None:
        """The member's home region, or None when the member is unknown."""
        return self.home_regions.get(member_id)

    def require_region(self, code: str, field_name: str) -> str:
        """`code` in upper case if it is a region of the alliance, else `InvalidSharingInput`
        naming `field_name` and listing the regions."""
        wanted = code.strip().upper()
        if wanted not in self.regions:
            known = ", ".join(sorted(self.regions))
            message = f"{code!r} is not a region of the alliance; the regions are {known}."
            raise InvalidSharingInput(message, field_name)
        return wanted

    def require_member(self, member_id: uuid.UUID, field_name: str) -> None:
        """`InvalidSharingInput` naming `field_name` unless `member_id` is a member's."""
        if member_id not in self.home_regions:
            message = f"{member_id} is not a member of the alliance."
            raise InvalidSharingInput(message, field_name)

    def require_known(self, audience: Audience, field_name: str) -> None:
        """`InvalidSharingInput` naming `field_name` if a grant or exclude of `audience`
        names a region or a member the alliance does not have: it would be stored and
        reach nobody, silently."""
        for grant in audience.grants:
            if isinstance(grant.target, RegionTarget):
                self.require_region(grant.target.code, field_name)
            elif isinstance(grant.target, MemberTarget):
                self.require_member(grant.target.member_id, field_name)
        for member_id in audience.excludes:
            self.require_member(member_id, field_name)


def intersect_targets(a: Target, b: Target, regions: AllianceRegions) -> Target | None:
    """The target reaching exactly the members both `a` and `b` reach; None if none.

    A member whose home region is unknown is in no region.
    """
    if isinstance(a, AllianceTarget):
        return b
    if isinstance(b, AllianceTarget) or a == b:
        return a
    if isinstance(a, RegionTarget) and isinstance(b, MemberTarget):
        return b if regions.home_region_of(b.member_id) == a.code else None
    if isinstance(a, MemberTarget) and isinstance(b, RegionTarget):
        return a if regions.home_region_of(a.member_id) == b.code else None
    return None


def clip_grant(grant: Grant, limit: Iterable[Grant], regions: AllianceRegions) -> frozenset[Grant]:
    """`grant` narrowed to `limit`: every member gets the weaker of the two levels.

    For each member, the result gives min(level from `grant`, strongest level from
    `limit`), and nothing where either gives nothing. An alliance grant under a
    region:EU limit becomes a region:EU grant; a member grant outside it disappears.
    """
    clipped: list[Grant] = []
    for bound in limit:
        target = intersect_targets(grant.target, bound.target, regions)
        if target is not None:
            clipped.append(Grant(target, grant.level.capped_at(bound.level)))
    return normalize_grants(clipped)
