"""The audience vocabulary: levels, TLP labels, targets, the text form, clipping."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharing.audience import (
    ALLIANCE,
    PRIVATE,
    AllianceRegions,
    Audience,
    Grant,
    Level,
    MemberTarget,
    RegionTarget,
    Target,
    TargetKind,
    Tlp,
    clip_grant,
    format_audience,
    intersect_targets,
    normalize_grants,
    parse_audience,
    parse_grant,
    parse_level,
    parse_target,
    parse_tlp,
    strongest,
    target_key,
)
from sharing.errors import InvalidSharingInput

EU_MEMBER = uuid.UUID("00000000-0000-4000-8000-0000000000e1")
CN_MEMBER = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
UNKNOWN_MEMBER = uuid.UUID("00000000-0000-4000-8000-00000000dead")
REGIONS = AllianceRegions(
    regions=frozenset({"EU", "AMER", "CN", "APAC"}),
    home_regions={EU_MEMBER: "EU", CN_MEMBER: "CN"},
)
EU = RegionTarget("EU")
CN = RegionTarget("CN")
FULL, ANONYMOUS, MATCH_ONLY = Level.FULL, Level.ANONYMOUS, Level.MATCH_ONLY


# ---- levels ---------------------------------------------------------------------


def test_levels_iterate_strongest_first() -> None:
    assert list(Level) == [FULL, ANONYMOUS, MATCH_ONLY]
    assert [level.strength for level in Level] == [3, 2, 1]


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([], None),
        ([MATCH_ONLY], MATCH_ONLY),
        ([MATCH_ONLY, ANONYMOUS], ANONYMOUS),
        # As strings "ANONYMOUS" < "FULL"; strength must win, not the alphabet.
        ([ANONYMOUS, FULL, MATCH_ONLY], FULL),
        ([ANONYMOUS, ANONYMOUS], ANONYMOUS),
    ],
)
def test_strongest_picks_the_strongest_level(levels: list[Level], expected: Level | None) -> None:
    assert strongest(levels) is expected


@pytest.mark.parametrize(
    ("level", "ceiling", "expected"),
    [
        (FULL, FULL, FULL),
        (FULL, ANONYMOUS, ANONYMOUS),
        (FULL, MATCH_ONLY, MATCH_ONLY),
        (ANONYMOUS, FULL, ANONYMOUS),
        (MATCH_ONLY, FULL, MATCH_ONLY),
        (ANONYMOUS, MATCH_ONLY, MATCH_ONLY),
    ],
)
def test_capped_at_never_raises_a_level(level: Level, ceiling: Level, expected: Level) -> None:
    assert level.capped_at(ceiling) is expected


@pytest.mark.parametrize(
    ("level", "listable"), [(FULL, True), (ANONYMOUS, True), (MATCH_ONLY, False)]
)
def test_only_full_and_anonymous_are_listable(level: Level, listable: bool) -> None:
    assert level.is_listable is listable


@pytest.mark.parametrize(
    ("text", "expected"),
    [("FULL", FULL), (" anonymous ", ANONYMOUS), ("Match_Only", MATCH_ONLY)],
)
def test_parse_level_ignores_case(text: str, expected: Level) -> None:
    assert parse_level(text) is expected


def test_parse_level_rejects_unknown_names() -> None:
    with pytest.raises(InvalidSharingInput) as caught:
        parse_level("READ")
    assert caught.value.field == "audience"
    assert "READ" in caught.value.message


# ---- TLP ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TLP:CLEAR", Tlp.CLEAR),
        ("clear", Tlp.CLEAR),
        ("TLP:WHITE", Tlp.CLEAR),  # TLP 1.0 name, superseded by CLEAR
        ("tlp:green", Tlp.GREEN),
        ("AMBER", Tlp.AMBER),
        ("TLP:AMBER+STRICT", Tlp.AMBER_STRICT),
        ("amber+strict", Tlp.AMBER_STRICT),
        ("AMBER_STRICT", Tlp.AMBER_STRICT),
        (" RED ", Tlp.RED),
    ],
)
def test_parse_tlp_accepts_the_usual_spellings(text: str, expected: Tlp) -> None:
    assert parse_tlp(text) is expected


@pytest.mark.parametrize("text", ["", "TLP:", "PURPLE", "AMBER+", "TLP:RED:RED"])
def test_parse_tlp_rejects_other_labels(text: str) -> None:
    with pytest.raises(InvalidSharingInput) as caught:
        parse_tlp(text)
    assert caught.value.field == "tlp"


@pytest.mark.parametrize(
    ("tlp", "label"),
    [
        (Tlp.CLEAR, "TLP:CLEAR"),
        (Tlp.AMBER_STRICT, "TLP:AMBER+STRICT"),
        (Tlp.RED, "TLP:RED"),
    ],
)
def test_tlp_label_is_the_tlp_2_spelling(tlp: Tlp, label: str) -> None:
    assert tlp.label == label
    assert parse_tlp(label) is tlp


# ---- targets and the text form --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alliance", ALLIANCE),
        (" ALLIANCE ", ALLIANCE),
        ("region:EU", EU),
        ("region:eu", EU),
        ("region: apac ", RegionTarget("APAC")),
        (f"member:{EU_MEMBER}", MemberTarget(EU_MEMBER)),
        (f"MEMBER:{str(EU_MEMBER).upper()}", MemberTarget(EU_MEMBER)),
    ],
)
def test_parse_target(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "everyone",
        "alliance:EU",
        "region:",
        "region:E U",
        "region:1EU",
        "member:42",
        "member:",
    ],
)
def test_parse_target_rejects_malformed_targets(text: str) -> None:
    with pytest.raises(InvalidSharingInput) as caught:
        parse_target(text)
    assert caught.value.field == "audience"


def test_region_target_requires_a_canonical_code() -> None:
    with pytest.raises(InvalidSharingInput):
        RegionTarget("eu")


@pytest.mark.parametrize(
    ("target", "stored"),
    [
        (ALLIANCE, (TargetKind.ALLIANCE, "")),
        (EU, (TargetKind.REGION, "EU")),
        (MemberTarget(EU_MEMBER), (TargetKind.MEMBER, str(EU_MEMBER))),
    ],
)
def test_target_key_is_the_stored_pair(target: Target, stored: tuple[str, str]) -> None:
    assert target_key(target) == stored
    assert parse_target(str(target)) == target


def test_parse_grant_needs_a_level() -> None:
    assert parse_grant("region:EU=anonymous") == Grant(EU, ANONYMOUS)
    with pytest.raises(InvalidSharingInput, match="no level"):
        parse_grant("region:EU")


def test_audience_text_form_reads_back_sorted() -> None:
    text = f"exclude:{CN_MEMBER}, member:{EU_MEMBER}=MATCH_ONLY, region:EU=FULL, alliance=ANONYMOUS"
    audience = parse_audience(text)
    assert audience == Audience(
        frozenset(
            {
                Grant(ALLIANCE, ANONYMOUS),
                Grant(EU, FULL),
                Grant(MemberTarget(EU_MEMBER), MATCH_ONLY),
            }
        ),
        frozenset({CN_MEMBER}),
    )
    assert format_audience(audience) == (
        f"alliance=ANONYMOUS, region:EU=FULL, member:{EU_MEMBER}=MATCH_ONLY, exclude:{CN_MEMBER}"
    )


def test_empty_text_is_the_owner_only_audience() -> None:
    assert parse_audience("") == PRIVATE
    assert parse_audience(" , ") == PRIVATE
    assert format_audience(PRIVATE) == ""


def test_parse_audience_rejects_a_bad_exclude() -> None:
    with pytest.raises(InvalidSharingInput, match="not a member id"):
        parse_audience("alliance=FULL, exclude:acme")


MEMBER_IDS = st.sampled_from([EU_MEMBER, CN_MEMBER, UNKNOWN_MEMBER])
TARGETS = st.one_of(
    st.just(ALLIANCE),
    st.sampled_from(["EU", "AMER", "CN", "X_1", "A-B"]).map(RegionTarget),
    MEMBER_IDS.map(MemberTarget),
)
GRANTS = st.builds(Grant, TARGETS, st.sampled_from(Level))
AUDIENCES = st.builds(
    Audience, st.frozensets(GRANTS, max_size=6), st.frozensets(MEMBER_IDS, max_size=3)
)


@given(AUDIENCES)
def test_text_form_round_trips(audience: Audience) -> None:
    assert parse_audience(format_audience(audience)) == audience


# ---- normalisation, intersection, clipping --------------------------------------


def test_normalize_keeps_the_strongest_grant_per_target() -> None:
    grants = [Grant(EU, MATCH_ONLY), Grant(EU, FULL), Grant(ALLIANCE, ANONYMOUS)]
    assert normalize_grants(grants) == {Grant(EU, FULL), Grant(ALLIANCE, ANONYMOUS)}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (ALLIANCE, ALLIANCE, ALLIANCE),
        (ALLIANCE, EU, EU),
        (EU, ALLIANCE, EU),
        (EU, EU, EU),
        (EU, CN, None),
        (EU, MemberTarget(EU_MEMBER), MemberTarget(EU_MEMBER)),
        (MemberTarget(EU_MEMBER), EU, MemberTarget(EU_MEMBER)),
        (CN, MemberTarget(EU_MEMBER), None),
        (EU, MemberTarget(UNKNOWN_MEMBER), None),  # unknown home: in no region
        (MemberTarget(EU_MEMBER), MemberTarget(EU_MEMBER), MemberTarget(EU_MEMBER)),
        (MemberTarget(EU_MEMBER), MemberTarget(CN_MEMBER), None),
        (ALLIANCE, MemberTarget(UNKNOWN_MEMBER), MemberTarget(UNKNOWN_MEMBER)),
    ],
)
def test_intersect_targets(a: Target, b: Target, expected: Target | None) -> None:
    assert intersect_targets(a, b, REGIONS) == expected


@pytest.mark.parametrize(
    ("grant", "limit", "expected"),
    [
        # wider target: narrowed to the limit's target
        ("alliance=FULL", "region:EU=FULL", "region:EU=FULL"),
        # stronger level: lowered to the limit's level
        ("alliance=FULL", "alliance=ANONYMOUS", "alliance=ANONYMOUS"),
        ("region:EU=FULL", "alliance=MATCH_ONLY", "region:EU=MATCH_ONLY"),
        # weaker than the limit: unchanged
        ("region:EU=MATCH_ONLY", "alliance=FULL", "region:EU=MATCH_ONLY"),
        # outside the limit: gone
        ("region:CN=FULL", "region:EU=FULL", ""),
        (f"member:{CN_MEMBER}=FULL", "region:EU=FULL", ""),
        (f"member:{UNKNOWN_MEMBER}=FULL", "region:EU=FULL", ""),
        # inside a region limit through the member's home region
        (
            f"member:{EU_MEMBER}=FULL",
            "region:EU=ANONYMOUS",
            f"member:{EU_MEMBER}=ANONYMOUS",
        ),
        # several limits: each member gets its own strongest allowed level
        (
            "alliance=FULL",
            f"region:EU=ANONYMOUS, member:{EU_MEMBER}=FULL",
            f"region:EU=ANONYMOUS, member:{EU_MEMBER}=FULL",
        ),
        # an empty limit (owner only) removes every grant
        ("alliance=FULL", "", ""),
    ],
)
def test_clip_grant(grant: str, limit: str, expected: str) -> None:
    clipped = clip_grant(parse_grant(grant), parse_audience(limit).grants, REGIONS)
    assert clipped == parse_audience(expected).grants
