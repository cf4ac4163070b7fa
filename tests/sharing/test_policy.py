"""Sharing rules: who sees a record at which level; how a write's audience is narrowed.

Audiences are written in the compact text form (`alliance=FULL, exclude:<id>`) so that
each table row reads like the rule it checks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing.audience import (
    PRIVATE,
    AllianceRegions,
    AllianceTarget,
    Audience,
    Grant,
    Level,
    MemberTarget,
    RegionTarget,
    Tlp,
    parse_audience,
)
from sharing.errors import SharingRefused
from sharing.policy import (
    Ceiling,
    CeilingMode,
    MemberPolicy,
    RecordType,
    RegionFence,
    RuleKey,
    ViewerFacts,
    effective_audience,
    level_for,
)
from sharing.principals import MemberStatus, PrincipalKind, Role, Scope, Viewer


def member_id(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://alliance.test/members/{name}")


OWNER = member_id("owner")  # home EU
EU_A = member_id("eu-a")
EU_B = member_id("eu-b")
AMER_A = member_id("amer-a")
CN_A = member_id("cn-a")
UNKNOWN = member_id("not-in-the-directory")
HOMES = {OWNER: "EU", EU_A: "EU", EU_B: "EU", AMER_A: "AMER", CN_A: "CN"}
REGIONS = AllianceRegions(frozenset({"EU", "AMER", "CN", "APAC"}), HOMES)

FULL, ANONYMOUS, MATCH_ONLY = Level.FULL, Level.ANONYMOUS, Level.MATCH_ONLY
INDICATOR = RecordType.INDICATOR


def viewer(member: uuid.UUID | None, *, active: bool = True) -> ViewerFacts:
    region = HOMES.get(member) if member is not None else None
    return ViewerFacts(member, region, can_read_shared=active)


def aud(text: str) -> Audience:
    return parse_audience(
        text.format(owner=OWNER, eu_a=EU_A, eu_b=EU_B, amer_a=AMER_A, cn_a=CN_A, unknown=UNKNOWN)
    )


# ---- reading: level_for -----------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer_facts", "audience", "expected"),
    [
        # invariant 4: the owner always sees its own record, whatever the audience says
        pytest.param(viewer(OWNER), "", FULL, id="owner-private"),
        pytest.param(viewer(OWNER), "exclude:{owner}", FULL, id="owner-excluded"),
        pytest.param(viewer(OWNER), "alliance=MATCH_ONLY", FULL, id="owner-weak-grant"),
        pytest.param(viewer(OWNER, active=False), "", FULL, id="owner-unagreed"),
        # nobody else sees a private record
        pytest.param(viewer(EU_A), "", None, id="private"),
        # alliance grants reach every active member, at the grant's level
        pytest.param(viewer(CN_A), "alliance=FULL", FULL, id="alliance-full"),
        pytest.param(viewer(AMER_A), "alliance=ANONYMOUS", ANONYMOUS, id="alliance-anon"),
        pytest.param(viewer(EU_A), "alliance=MATCH_ONLY", MATCH_ONLY, id="alliance-match"),
        # region grants reach members whose home is that region
        pytest.param(viewer(EU_A), "region:EU=FULL", FULL, id="region-match"),
        pytest.param(viewer(AMER_A), "region:EU=FULL", None, id="region-mismatch"),
        pytest.param(
            ViewerFacts(EU_A, None, can_read_shared=True),
            "region:EU=FULL",
            None,
            id="region-unknown-viewer-region",
        ),
        # member grants reach that member only
        pytest.param(viewer(EU_A), "member:{eu_a}=ANONYMOUS", ANONYMOUS, id="member"),
        pytest.param(viewer(EU_B), "member:{eu_a}=FULL", None, id="other-member"),
        # exclude beats every grant
        pytest.param(viewer(EU_A), "alliance=FULL, exclude:{eu_a}", None, id="exclude-alliance"),
        pytest.param(
            viewer(EU_A),
            "member:{eu_a}=FULL, region:EU=FULL, exclude:{eu_a}",
            None,
            id="exclude-member",
        ),
        pytest.param(viewer(EU_B), "alliance=FULL, exclude:{eu_a}", FULL, id="exclude-other"),
        # the strongest grant that reaches the viewer wins
        pytest.param(
            viewer(EU_A),
            "alliance=MATCH_ONLY, region:EU=ANONYMOUS, member:{eu_a}=FULL",
            FULL,
            id="strongest-member",
        ),
        pytest.param(
            viewer(EU_B),
            "alliance=MATCH_ONLY, region:EU=ANONYMOUS, member:{eu_a}=FULL",
            ANONYMOUS,
            id="strongest-region",
        ),
        pytest.param(
            viewer(AMER_A),
            "alliance=MATCH_ONLY, region:EU=ANONYMOUS, member:{eu_a}=FULL",
            MATCH_ONLY,
            id="strongest-alliance",
        ),
        pytest.param(
            viewer(EU_A),
            "alliance=FULL, member:{eu_a}=MATCH_ONLY",
            FULL,
            id="weaker-member-grant-does-not-lower",
        ),
        # invariant 5: a suspended or unagreed member reads nothing of others
        pytest.param(viewer(EU_A, active=False), "alliance=FULL", None, id="suspended-alliance"),
        pytest.param(viewer(EU_A, active=False), "member:{eu_a}=FULL", None, id="unagreed-member"),
        # the secretariat (no member) gets nothing through member-level sharing
        pytest.param(viewer(None), "alliance=FULL", None, id="secretariat"),
    ],
)
def test_level_for(viewer_facts: ViewerFacts, audience: str, expected: Level | None) -> None:
    assert level_for(viewer_facts, OWNER, aud(audience)) is expected


def test_viewer_facts_of_an_authenticated_viewer() -> None:
    def member_viewer(status: MemberStatus, *, agreed: bool) -> Viewer:
        return Viewer(
            kind=PrincipalKind.USER,
            principal_id=uuid.uuid4(),
            member_id=EU_A,
            region="EU",
            roles=frozenset({Role.ANALYST}),
            scopes=frozenset({Scope.INDICATORS_READ}),
            member_status=status,
            agreed=agreed,
        )

    everyone = aud("alliance=FULL")
    active = ViewerFacts.of(member_viewer(MemberStatus.ACTIVE, agreed=True))
    assert active == ViewerFacts(EU_A, "EU", can_read_shared=True)
    assert level_for(active, OWNER, everyone) is FULL
    for status, agreed in [
        (MemberStatus.SUSPENDED, True),
        (MemberStatus.ACTIVE, False),
    ]:
        facts = ViewerFacts.of(member_viewer(status, agreed=agreed))
        assert level_for(facts, OWNER, everyone) is None


# ---- writing: effective_audience --------------------------------------------------


def policy(**fields: Any) -> MemberPolicy:
    return MemberPolicy(member_id=OWNER, **fields)


def effective(
    audience: str | None,
    member_policy: MemberPolicy | None = None,
    *,
    tlp: Tlp = Tlp.GREEN,
    kind: str | None = "PAYMENT_ACCOUNT",
    personal_data_region: str | None = None,
    reapplying: bool = False,
) -> Audience:
    return effective_audience(
        None if audience is None else aud(audience),
        owner_id=OWNER,
        tlp=tlp,
        policy=member_policy or policy(),
        record_type=INDICATOR,
        kind=kind,
        regions=REGIONS,
        personal_data_region=personal_data_region,
        reapplying=reapplying,
    )


def test_without_rules_the_requested_audience_is_stored_as_asked() -> None:
    asked = "alliance=ANONYMOUS, member:{cn_a}=FULL, exclude:{amer_a}"
    assert effective(asked) == aud(asked)


def test_duplicate_grants_collapse_to_the_strongest() -> None:
    assert effective("region:EU=MATCH_ONLY, region:EU=FULL") == aud("region:EU=FULL")


DEFAULTS = {
    RuleKey(INDICATOR): aud("alliance=FULL"),
    RuleKey(INDICATOR, "PAYMENT_ACCOUNT"): aud("region:EU=ANONYMOUS"),
}


@pytest.mark.parametrize(
    ("defaults", "kind", "expected"),
    [
        pytest.param(DEFAULTS, "PAYMENT_ACCOUNT", "region:EU=ANONYMOUS", id="per-kind"),
        pytest.param(DEFAULTS, "DOMAIN", "alliance=FULL", id="per-type"),
        pytest.param({}, "DOMAIN", "", id="none-set-owner-only"),
    ],
)
def test_a_write_without_audience_gets_the_most_specific_default(
    defaults: dict[RuleKey, Audience], kind: str, expected: str
) -> None:
    assert effective(None, policy(defaults=defaults), kind=kind) == aud(expected)


def test_an_explicit_empty_audience_is_not_replaced_by_the_default() -> None:
    assert effective("", policy(defaults=DEFAULTS)) == PRIVATE


def test_standing_and_ceiling_excludes_are_added_to_the_records_own() -> None:
    rules = policy(
        standing_excludes=frozenset({CN_A}),
        ceilings={RuleKey(INDICATOR): Ceiling(aud("alliance=FULL, exclude:{amer_a}"))},
    )
    stored = effective("alliance=FULL, exclude:{eu_b}", rules)
    assert stored.excludes == {CN_A, AMER_A, EU_B}
    assert level_for(viewer(CN_A), OWNER, stored) is None
    assert level_for(viewer(EU_A), OWNER, stored) is FULL


CLIP_EU = policy(ceilings={RuleKey(INDICATOR): Ceiling(aud("region:EU=ANONYMOUS"))})


@pytest.mark.parametrize(
    ("asked", "stored"),
    [
        pytest.param("alliance=FULL", "region:EU=ANONYMOUS", id="target-and-level"),
        pytest.param("alliance=MATCH_ONLY", "region:EU=MATCH_ONLY", id="weaker-kept"),
        pytest.param("region:AMER=FULL", "", id="other-region-dropped"),
        pytest.param("member:{cn_a}=FULL", "", id="member-outside-dropped"),
        pytest.param("member:{unknown}=FULL", "", id="unknown-member-dropped"),
        pytest.param("member:{eu_a}=FULL", "member:{eu_a}=ANONYMOUS", id="member-inside-kept"),
        pytest.param(
            "region:AMER=FULL, member:{eu_a}=MATCH_ONLY",
            "member:{eu_a}=MATCH_ONLY",
            id="mixed",
        ),
    ],
)
def test_clip_ceiling_narrows_silently(asked: str, stored: str) -> None:
    assert effective(asked, CLIP_EU) == aud(stored)


def test_most_specific_ceiling_wins() -> None:
    rules = policy(
        ceilings={
            RuleKey(INDICATOR): Ceiling(aud("region:EU=FULL")),
            RuleKey(INDICATOR, "DOMAIN"): Ceiling(aud("alliance=FULL")),
        }
    )
    assert effective("alliance=FULL", rules, kind="DOMAIN") == aud("alliance=FULL")
    assert effective("alliance=FULL", rules, kind="EMAIL") == aud("region:EU=FULL")


REFUSE_EU = policy(
    defaults={RuleKey(INDICATOR): aud("alliance=FULL")},
    ceilings={RuleKey(INDICATOR): Ceiling(aud("region:EU=ANONYMOUS"), CeilingMode.REFUSE)},
)


@pytest.mark.parametrize(
    "asked",
    [
        "alliance=MATCH_ONLY",  # wider target
        "region:EU=FULL",  # stronger level
        "member:{cn_a}=MATCH_ONLY",  # member outside the ceiling
        "member:{eu_a}=ANONYMOUS, region:AMER=MATCH_ONLY",  # one bad grant is enough
    ],
)
def test_refuse_ceiling_refuses_anything_beyond_it(asked: str) -> None:
    with pytest.raises(SharingRefused) as caught:
        effective(asked, REFUSE_EU)
    assert caught.value.field == "audience"
    assert "region:EU=ANONYMOUS" in caught.value.message  # says what is allowed


@pytest.mark.parametrize(
    "asked",
    ["region:EU=ANONYMOUS", "region:EU=MATCH_ONLY", "member:{eu_a}=ANONYMOUS", ""],
)
def test_refuse_ceiling_accepts_what_fits(asked: str) -> None:
    assert effective(asked, REFUSE_EU) == aud(asked)


def test_refuse_ceiling_clips_defaults_and_reapplication_instead() -> None:
    # The member's own default, and a record written before the ceiling existed, are
    # not the writer's fault: they are narrowed, never refused.
    assert effective(None, REFUSE_EU) == aud("region:EU=ANONYMOUS")
    assert effective("alliance=FULL", REFUSE_EU, reapplying=True) == aud("region:EU=ANONYMOUS")


@pytest.mark.parametrize("asked", ["alliance=FULL", "region:CN=MATCH_ONLY"])
def test_tlp_red_refuses_grants_wider_than_named_members(asked: str) -> None:
    with pytest.raises(SharingRefused, match="TLP:RED") as caught:
        effective(f"member:{{eu_a}}=FULL, {asked}", tlp=Tlp.RED)
    assert caught.value.field == "audience"


def test_tlp_red_keeps_member_grants_and_excludes() -> None:
    asked = "member:{eu_a}=FULL, member:{cn_a}=MATCH_ONLY, exclude:{amer_a}"
    assert effective(asked, tlp=Tlp.RED) == aud(asked)


def test_tlp_red_drops_wider_grants_from_defaults_and_reapplication() -> None:
    rules = policy(defaults={RuleKey(INDICATOR): aud("alliance=FULL, member:{eu_a}=ANONYMOUS")})
    assert effective(None, rules, tlp=Tlp.RED) == aud("member:{eu_a}=ANONYMOUS")
    stored = effective("alliance=FULL", tlp=Tlp.RED, reapplying=True)
    assert stored == PRIVATE
    assert level_for(viewer(EU_A), OWNER, stored) is None


@pytest.mark.parametrize("tlp", [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT])
def test_other_tlp_labels_do_not_narrow_the_audience(tlp: Tlp) -> None:
    assert effective("alliance=FULL", tlp=tlp) == aud("alliance=FULL")


FENCED = policy(fences=frozenset({RegionFence("EU", "CN")}))


def test_fence_narrows_an_alliance_grant_to_the_other_regions() -> None:
    stored = effective("alliance=ANONYMOUS", FENCED, personal_data_region="EU")
    assert stored == aud("region:EU=ANONYMOUS, region:AMER=ANONYMOUS, region:APAC=ANONYMOUS")
    assert level_for(viewer(CN_A), OWNER, stored) is None
    assert level_for(viewer(AMER_A), OWNER, stored) is ANONYMOUS


@pytest.mark.parametrize("asked", ["region:CN=FULL", "member:{cn_a}=FULL", "member:{unknown}=FULL"])
def test_fence_refuses_an_explicit_grant_into_a_barred_region(asked: str) -> None:
    with pytest.raises(SharingRefused, match="transfer basis") as caught:
        effective(asked, FENCED, personal_data_region="EU")
    assert caught.value.field == "audience"


def test_fence_drops_barred_grants_on_reapplication() -> None:
    asked = "region:CN=FULL, member:{cn_a}=FULL, member:{eu_a}=FULL"
    stored = effective(asked, FENCED, personal_data_region="EU", reapplying=True)
    assert stored == aud("member:{eu_a}=FULL")


@pytest.mark.parametrize(
    ("rules", "data_region"),
    [
        pytest.param(FENCED, None, id="no-personal-data"),
        pytest.param(FENCED, "AMER", id="data-from-another-region"),
        pytest.param(
            policy(fences=frozenset({RegionFence("EU", "CN", "SCC 2021/914")})),
            "EU",
            id="transfer-basis-recorded",
        ),
        pytest.param(
            policy(
                fences=frozenset({RegionFence("EU", "CN"), RegionFence("EU", "CN", "BCR approved")})
            ),
            "EU",
            id="basis-lifts-a-duplicate-fence",
        ),
    ],
)
def test_fence_does_not_apply(rules: MemberPolicy, data_region: str | None) -> None:
    asked = "alliance=FULL, member:{cn_a}=FULL"
    assert effective(asked, rules, personal_data_region=data_region) == aud(asked)


def test_audience_must_be_computed_with_the_owners_policy() -> None:
    with pytest.raises(ValueError, match="owner's policy"):
        effective("alliance=FULL", MemberPolicy(member_id=EU_A))


def test_member_policy_is_immutable_and_versioned() -> None:
    defaults = {RuleKey(INDICATOR): aud("alliance=FULL")}
    rules = policy(defaults=defaults)
    defaults[RuleKey(INDICATOR)] = PRIVATE  # the caller's dict, changed afterwards
    assert rules.default_for(INDICATOR, None) == aud("alliance=FULL")
    assert rules.count_in_aggregates is False  # aggregates are opt-in
    with pytest.raises(ValueError, match="version"):
        policy(version=0)


# ---- properties against a tiny oracle ---------------------------------------------

RANK = {"FULL": 3, "ANONYMOUS": 2, "MATCH_ONLY": 1}
POOL = [OWNER, EU_A, EU_B, AMER_A, CN_A, UNKNOWN]


@dataclass(frozen=True)
class Someone:
    member: uuid.UUID | None
    region: str | None
    active: bool


def oracle(someone: Someone, owner: uuid.UUID, audience: Audience) -> str | None:
    """DESIGN §3 read literally, one grant at a time."""
    if someone.member == owner:
        return "FULL"
    if someone.member is None or not someone.active or someone.member in audience.excludes:
        return None
    best: str | None = None
    for grant in audience.grants:
        target = grant.target
        reaches = (
            isinstance(target, AllianceTarget)
            or (isinstance(target, RegionTarget) and target.code == someone.region)
            or (isinstance(target, MemberTarget) and target.member_id == someone.member)
        )
        if reaches and (best is None or RANK[grant.level.value] > RANK[best]):
            best = grant.level.value
    return best


TARGETS = st.one_of(
    st.builds(AllianceTarget),
    st.sampled_from(["EU", "AMER", "CN", "APAC"]).map(RegionTarget),
    st.sampled_from(POOL).map(MemberTarget),
)
AUDIENCES = st.builds(
    Audience,
    st.frozensets(st.builds(Grant, TARGETS, st.sampled_from(Level)), max_size=6),
    st.frozensets(st.sampled_from(POOL), max_size=3),
)
SOMEONE = st.builds(
    Someone,
    st.one_of(st.none(), st.sampled_from(POOL)),
    st.one_of(st.none(), st.sampled_from(["EU", "AMER", "CN", "APAC"])),
    st.booleans(),
)


@settings(max_examples=500, deadline=None)
@given(SOMEONE, st.sampled_from(POOL), AUDIENCES)
def test_level_for_agrees_with_the_oracle(
    someone: Someone, owner: uuid.UUID, audience: Audience
) -> None:
    facts = ViewerFacts(someone.member, someone.region, someone.active)
    level = level_for(facts, owner, audience)
    assert (None if level is None else level.value) == oracle(someone, owner, audience)


def home(member: uuid.UUID) -> Someone:
    return Someone(member, HOMES.get(member), active=True)


def rank_of(someone: Someone, audience: Audience) -> int:
    return RANK.get(oracle(someone, OWNER, audience) or "", 0)


@settings(max_examples=300, deadline=None)
@given(AUDIENCES, AUDIENCES.map(lambda a: Audience(a.grants)))
def test_clip_gives_each_member_the_weaker_of_asked_and_ceiling(
    asked: Audience, ceiling: Audience
) -> None:
    rules = policy(ceilings={RuleKey(INDICATOR): Ceiling(ceiling)})
    stored = effective_audience(
        asked,
        owner_id=OWNER,
        tlp=Tlp.GREEN,
        policy=rules,
        record_type=INDICATOR,
        kind=None,
        regions=REGIONS,
    )
    for member in POOL:
        if member != OWNER:
            expected = min(rank_of(home(member), asked), rank_of(home(member), ceiling))
            assert rank_of(home(member), stored) == expected


@settings(max_examples=300, deadline=None)
@given(
    AUDIENCES,
    AUDIENCES.map(lambda a: Audience(a.grants)),
    st.sampled_from(Tlp),
    st.frozensets(st.sampled_from(POOL), max_size=2),
    st.sampled_from([None, "EU", "AMER"]),
)
def test_effective_audience_never_widens(
    asked: Audience,
    ceiling: Audience,
    tlp: Tlp,
    standing: frozenset[uuid.UUID],
    data_region: str | None,
) -> None:
    rules = policy(
        ceilings={RuleKey(INDICATOR): Ceiling(ceiling, CeilingMode.REFUSE)},
        standing_excludes=standing,
        fences=frozenset({RegionFence("EU", "CN"), RegionFence("AMER", "APAC")}),
    )
    stored = effective_audience(
        asked,
        owner_id=OWNER,
        tlp=tlp,
        policy=rules,
        record_type=INDICATOR,
        kind=None,
        regions=REGIONS,
        personal_data_region=data_region,
        reapplying=True,  # re-application never refuses: it must narrow instead
    )
    barred = {"EU": {"CN"}, "AMER": {"APAC"}, None: set()}[data_region]
    for member in POOL:
        if member == OWNER:
            continue
        got = rank_of(home(member), stored)
        assert got <= min(rank_of(home(member), asked), rank_of(home(member), ceiling))
        if member in standing or (barred and HOMES.get(member) in barred | {None}):
            assert got == 0
        if tlp is Tlp.RED:
            assert all(isinstance(g.target, MemberTarget) for g in stored.grants)
