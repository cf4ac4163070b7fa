"""Member policies, and the rules every sharing decision is derived from (DESIGN §3).

One set of rules answers both questions:

- writing: `effective_audience` turns the audience a write asks for into the audience
  stored with the record: the owner's default when none is given, TLP, the owner's
  ceilings, region fences, and excludes;
- reading: `level_for` says what one viewer gets of one record. The SQL list predicate
  is built from the same pieces (`viewer_target_keys`, `LISTABLE_LEVELS`, the owner and
  exclude rules), so the Python check and the SQL filter cannot drift.

Semantics and the decisions behind them: docs/sharing.md.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sharing.audience import (
    PRIVATE,
    AllianceRegions,
    AllianceTarget,
    Audience,
    Grant,
    Level,
    RegionTarget,
    TargetKey,
    TargetKind,
    Tlp,
    clip_grant,
    format_audience,
    normalize_grants,
    strongest,
    target_key,
)
from sharing.errors import SharingRefused
from sharing.principals import Viewer


class RecordType(enum.StrEnum):
    """The shareable records (DESIGN §3)."""

    INDICATOR = "INDICATOR"
    ARTICLE = "ARTICLE"
    LINK = "LINK"
    SIGHTING = "SIGHTING"
    EXPERT_PROFILE = "EXPERT_PROFILE"


@dataclass(frozen=True, slots=True)
class RuleKey:
    """What a default or ceiling applies to; `kind` None: every kind of the type."""

    record_type: RecordType
    kind: str | None = None


class CeilingMode(enum.StrEnum):
    CLIP = "CLIP"  # narrow what was asked for to the ceiling, silently
    REFUSE = "REFUSE"  # refuse a write that asks for anything beyond the ceiling


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The widest audience allowed; its excludes are added to every record it covers."""

    audience: Audience
    mode: CeilingMode = CeilingMode.CLIP


@dataclass(frozen=True, slots=True)
class RegionFence:
    """Personal data from `data_region` may not reach `to_region` without a basis.

    A fence with a recorded `transfer_basis` bars nothing: it documents the basis.
    """

    data_region: str
    to_region: str
    transfer_basis: str | None = None


@dataclass(frozen=True, slots=True)
class MemberPolicy:
    """One version of a member's sharing policy, set by its admins."""

    member_id: uuid.UUID
    version: int = 1
    defaults: Mapping[RuleKey, Audience] = field(default_factory=dict)
    ceilings: Mapping[RuleKey, Ceiling] = field(default_factory=dict)
    standing_excludes: frozenset[uuid.UUID] = frozenset()
    fences: frozenset[RegionFence] = frozenset()
    count_in_aggregates: bool = False  # aggregates use opted-in members (DESIGN §5)

    def __post_init__(self) -> None:
        if self.version < 1:
            raise ValueError(f"policy version must be 1 or more, not {self.version}")
        # Read-only copies: a stored policy version never changes.
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))
        object.__setattr__(self, "ceilings", MappingProxyType(dict(self.ceilings)))

    def default_for(self, record_type: RecordType, kind: str | None) -> Audience:
        """The audience of a write giving none: most specific default, else PRIVATE."""
        specific = self.defaults.get(RuleKey(record_type, kind))
        if specific is not None:
            return specific
        return self.defaults.get(RuleKey(record_type), PRIVATE)

    def ceiling_for(self, record_type: RecordType, kind: str | None) -> Ceiling | None:
        """The most specific ceiling, or None when the policy sets no limit."""
        specific = self.ceilings.get(RuleKey(record_type, kind))
        if specific is not None:
            return specific
        return self.ceilings.get(RuleKey(record_type))

    def barred_regions(self, data_region: str) -> frozenset[str]:
        """Regions that personal data from `data_region` may not reach."""
        mine = [fence for fence in self.fences if fence.data_region == data_region]
        barred = {fence.to_region for fence in mine if fence.transfer_basis is None}
        lifted = {fence.to_region for fence in mine if fence.transfer_basis is not None}
        return frozenset(barred - lifted)


# Which target kinds a TLP label lets a record be granted to.
TLP_TARGET_KINDS: Mapping[Tlp, frozenset[TargetKind]] = MappingProxyType(
    {
        Tlp.CLEAR: frozenset(TargetKind),
        Tlp.GREEN: frozenset(TargetKind),
        Tlp.AMBER: frozenset(TargetKind),
        Tlp.AMBER_STRICT: frozenset(TargetKind),
        Tlp.RED: frozenset({TargetKind.MEMBER}),
    }
)


def effective_audience(
    audience: Audience | None,
    *,
    owner_id: uuid.UUID,
    tlp: Tlp,
    policy: MemberPolicy,
    record_type: RecordType,
    kind: str | None,
    regions: AllianceRegions,
    personal_data_region: str | None = None,
    reapplying: bool = False,
) -> Audience:
    """The audience to store with a record: what was asked for, narrowed, never widened.

    `audience` None means the write gave none: the owner's default applies.
    `personal_data_region` is where the record's personal data comes from (None: it
    holds none). `regions` must know the home region of every member named in a grant;
    a member it does not know is outside every region. No member gets a stronger level
    than the requested audience gives it.

    Raises `SharingRefused` only for an audience the writer gave explicitly: a grant
    wider than a REFUSE ceiling, a non-member grant on a TLP:RED record, or a grant that
    region fences would remove entirely. Defaults and re-application (`reapplying`,
    after a policy change) are narrowed instead, never refused.
    """
    require_policy_of(policy, owner_id)
    requested = policy.default_for(record_type, kind) if audience is None else audience
    ceiling = policy.ceiling_for(record_type, kind)
    barred = frozenset[str]()
    if personal_data_region is not None:
        barred = policy.barred_regions(personal_data_region)
    if audience is not None and not reapplying:
        for grant in requested.grants:
            _require_grant_allowed(grant, tlp, ceiling, barred, regions)
    # Each step is an intersection, so their order does not change who gets what.
    grants = frozenset(g for g in requested.grants if _is_tlp_allowed(g, tlp))
    grants = _narrow(grants, ceiling, barred, regions)
    excludes = requested.excludes | policy_excludes(policy, record_type, kind)
    return Audience(grants, excludes)


def policy_excludes(
    policy: MemberPolicy, record_type: RecordType, kind: str | None
) -> frozenset[uuid.UUID]:
    """The members that `policy` excludes from every record of this type and kind: its
    standing excludes and those of the ceiling that applies."""
    ceiling = policy.ceiling_for(record_type, kind)
    ceiling_excludes = frozenset[uuid.UUID]() if ceiling is None else ceiling.audience.excludes
    return policy.standing_excludes | ceiling_excludes


def default_excludes(
    policy: MemberPolicy, record_type: RecordType, kind: str | None
) -> frozenset[uuid.UUID]:
    """The members that `policy` excludes from the records of this type and kind that
    asked for no audience (its default's excludes), besides `policy_excludes`."""
    return policy.default_for(record_type, kind).excludes


def narrow_by_policy(
    grants: frozenset[Grant],
    *,
    policy: MemberPolicy,
    record_type: RecordType,
    kind: str | None,
    regions: AllianceRegions,
    personal_data_region: str | None = None,
    by_default: bool = False,
) -> frozenset[Grant]:
    """`grants` clipped to the ceiling and region fences of `policy`: nobody gets more
    from the result than from `grants`, nor more than `policy` allows.

    Applied to a record's stored effective audience (computed under any earlier policy),
    it gives grants no wider than `effective_audience` computes under `policy`, because
    every stored audience is already within what the record asked for: this is what a
    policy change applies at once, before the records are recomputed (docs/sharing.md).
    A record that asked for nothing (`by_default`) asked for the policy's default, which
    changes with the policy: its grants are clipped to the new default too.
    """
    barred = frozenset[str]()
    if personal_data_region is not None:
        barred = policy.barred_regions(personal_data_region)
    if by_default:
        grants = _clip_all(grants, policy.default_for(record_type, kind).grants, regions)
    return _narrow(grants, policy.ceiling_for(record_type, kind), barred, regions)


def _narrow(
    grants: frozenset[Grant],
    ceiling: Ceiling | None,
    barred: frozenset[str],
    regions: AllianceRegions,
) -> frozenset[Grant]:
    if ceiling is not None:
        grants = _clip_all(grants, ceiling.audience.grants, regions)
    return normalize_grants(_fence_all(grants, barred, regions))


def require_policy_of(policy: MemberPolicy, owner_id: uuid.UUID) -> None:
    """Raise ValueError unless `policy` is the owner's: another member's is a bug."""
    if policy.member_id != owner_id:
        raise ValueError("a record's audience must be computed with its owner's policy")


def _require_grant_allowed(
    grant: Grant,
    tlp: Tlp,
    ceiling: Ceiling | None,
    barred: frozenset[str],
    regions: AllianceRegions,
) -> None:
    # Judged on the grant as the writer asked for it, so the message names that grant.
    if not _is_tlp_allowed(grant, tlp):
        message = f"{tlp.label} records go to named members only, not {grant.target}."
        raise SharingRefused(message, "audience")
    if ceiling is not None and ceiling.mode is CeilingMode.REFUSE:
        limit = ceiling.audience.grants
        if clip_grant(grant, limit, regions) != {grant}:
            widest = format_audience(Audience(limit)) or "owner only"
            message = f"{grant} is wider than your policy allows (at most: {widest})."
            raise SharingRefused(message, "audience")
    if barred and not _fence_grant(grant, barred, regions):
        message = (
            f"{grant.target} is in a region this record's personal data may not reach"
            " without a recorded transfer basis."
        )
        raise SharingRefused(message, "audience")


def _is_tlp_allowed(grant: Grant, tlp: Tlp) -> bool:
    return grant.target.kind in TLP_TARGET_KINDS[tlp]


def _clip_all(
    grants: frozenset[Grant], limit: frozenset[Grant], regions: AllianceRegions
) -> frozenset[Grant]:
    return frozenset(g for grant in grants for g in clip_grant(grant, limit, regions))


def _fence_all(
    grants: frozenset[Grant], barred: frozenset[str], regions: AllianceRegions
) -> frozenset[Grant]:
    if not barred:
        return grants
    return frozenset(g for each in grants for g in _fence_grant(each, barred, regions))


def _fence_grant(
    grant: Grant, barred: frozenset[str], regions: AllianceRegions
) -> frozenset[Grant]:
    target = grant.target
    if isinstance(target, AllianceTarget):
        # "Everyone but the barred regions" as one grant per remaining region: a region
        # added later is reached only once the policy is re-applied (fail closed).
        allowed = regions.regions - barred
        return frozenset(Grant(RegionTarget(code), grant.level) for code in allowed)
    if isinstance(target, RegionTarget):
        home: str | None = target.code
    else:
        home = regions.home_region_of(target.member_id)
    return frozenset() if home is None or home in barred else frozenset({grant})


# ---- reading -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ViewerFacts:
    """What the read rule needs to know of a viewing member.

    `can_read_shared` is "active and agreed to the current agreement" (invariant 5).
    """

    member_id: uuid.UUID | None
    region: str | None
    can_read_shared: bool

    @classmethod
    def of(cls, viewer: Viewer) -> ViewerFacts:
        """The facts of an authenticated viewer."""
        return cls(viewer.member_id, viewer.region, viewer.can_read_shared)


class ViewerKey(enum.Enum):
    """The fact about a viewer that a grant's stored target key is compared with."""

    NONE = "none"  # the key is always "": every viewer that reads shared data
    REGION = "region"
    MEMBER = "member"


# The grant-matching rule table. level_for reads it through viewer_target_keys; the SQL
# predicate compares stored (target_kind, target_key) with the same set.
GRANT_MATCH: Mapping[TargetKind, ViewerKey] = MappingProxyType(
    {
        TargetKind.ALLIANCE: ViewerKey.NONE,
        TargetKind.REGION: ViewerKey.REGION,
        TargetKind.MEMBER: ViewerKey.MEMBER,
    }
)


def _viewer_key(viewer: ViewerFacts, source: ViewerKey) -> str | None:
    if source is ViewerKey.NONE:
        return ""
    if source is ViewerKey.REGION:
        return viewer.region
    return None if viewer.member_id is None else str(viewer.member_id)


def viewer_keys_by_kind(viewer: ViewerFacts) -> dict[TargetKind, str | None]:
    """For each target kind of GRANT_MATCH, the stored key of a grant of that kind that
    reaches `viewer`; None where no grant of that kind can (no region, no member)."""
    return {kind: _viewer_key(viewer, source) for kind, source in GRANT_MATCH.items()}


def viewer_target_keys(viewer: ViewerFacts) -> frozenset[TargetKey]:
    """The stored (target_kind, target_key) of every grant that reaches `viewer`."""
    keys = viewer_keys_by_kind(viewer).items()
    return frozenset((kind, key) for kind, key in keys if key is not None)


def _strongest_by_key(effective: Audience) -> dict[TargetKey, Level]:
    return {target_key(g.target): g.level for g in normalize_grants(effective.grants)}


def _level_in(
    viewer: ViewerFacts,
    owner_id: uuid.UUID,
    levels: Mapping[TargetKey, Level],
    excludes: frozenset[uuid.UUID],
) -> Level | None:
    if viewer.member_id is not None and viewer.member_id == owner_id:
        return Level.FULL
    if viewer.member_id is None or not viewer.can_read_shared:
        return None
    if viewer.member_id in excludes:
        return None
    keys = viewer_target_keys(viewer)
    return strongest(levels[key] for key in keys if key in levels)


def level_for(viewer: ViewerFacts, owner_id: uuid.UUID, effective: Audience) -> Level | None:
    """What `viewer` gets of a record owned by `owner_id`; None means invisible.

    The owner gets FULL. Anyone else gets nothing if it is not an active, agreed member
    or is excluded; otherwise the strongest level among the grants that reach it.
    """
    return _level_in(viewer, owner_id, _strongest_by_key(effective), effective.excludes)
