"""Patterns are built from values that people typed: no value can break out of its
string literal, and every pattern passes the STIX pattern validator."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator

from alliance.indicators.kinds import IndicatorKind
from alliance.stix.observables import pattern

# What the edge lets through: no C0/C1 control characters but tab and line breaks.
TYPED = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f")
    | st.sampled_from("'\\\t\n\r]["),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(list(IndicatorKind)),
    value=TYPED,
    platform=st.none() | TYPED,
)
def test_every_value_gives_a_valid_pattern_that_holds_it(
    kind: IndicatorKind, value: str, platform: str | None
) -> None:
    built = pattern(kind, value, platform)

    assert run_validator(built, "2.1") == []
    # the value comes back out of the literal, and the pattern has no other comparison
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    assert f"'{escaped}'" in built
    expected = 2 if platform and kind not in _UNSCOPED else 1
    assert built.count(" = '") == expected


_UNSCOPED = {IndicatorKind.DOMAIN, IndicatorKind.URL, IndicatorKind.EMAIL}
