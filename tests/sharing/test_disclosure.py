"""Attacks on releases: every member in turn (and an outsider), knowing its own figures,
sets up its own linear program over every published cell of every release of a period and
tries to pin a suppressed cell, another member's figure or a correction. All must fail."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharing.disclosure import (
    ALL,
    Cell,
    Dimensions,
    EarlierRelease,
    Outcome,
    Reason,
    Rules,
    Table,
    contains,
    per_member,
    release,
)
from tests.sharing.disclosure_attacker import Attacker

RULES = Rules(min_contributors=3, dominance=0.6, protection=0.2)
DIMS = Dimensions(("EU", "CN"), ("amazon", "ebay"), ("apparel", "toys"))


def published(outcomes: Mapping[Cell, Outcome]) -> dict[Cell, int]:
    return {cell: o.value for cell, o in outcomes.items() if o.value is not None}


def members_of(*tables: Table) -> list[str]:
    return sorted({m for table in tables for figures in table.values() for m in figures})


def assert_nothing_recoverable(dims: Dimensions, rules: Rules, versions: list[Table]) -> None:
    """Build the releases of `versions` in turn, then attack them all."""
    earlier: list[EarlierRelease] = []
    releases = []
    for table in versions:
        outcomes = release(dims, table, rules, earlier)
        earlier.append(EarlierRelease(table, published(outcomes)))
        releases.append((table, published(outcomes)))
    last_table = releases[-1][0]
    outcomes = release(dims, last_table, rules, earlier[:-1])
    for attacker_name in [None, *members_of(*versions)]:
        attacker = Attacker(dims, releases, attacker_name)
        _attack_cells(dims, rules, attacker, attacker_name, last_table, outcomes)
        for version in range(len(versions) - 1):
            _attack_revision(dims, rules, attacker, attacker_name, versions, version)


def _attack_cells(dims, rules, attacker, me, table, outcomes) -> None:
    version = attacker.count // attacker.width - 1
    for cell, outcome in outcomes.items():
        figures = per_member(table, [f for f in dims.fine_cells() if contains(cell, f)])
        value = sum(figures.values())
        others = value - figures.get(me, 0)
        # A COMPLEMENTARY cell passes the rules on its own: recovering it reveals nothing.
        if outcome.reason in (None, Reason.COMPLEMENTARY) or others == 0:
            continue
        low, high = attacker.interval(attacker.indicator(version, cell))
        margin = rules.margin(others)
        assert high >= value + margin - 1e-6, (me, cell, value, high, outcome)
        assert low <= value - min(margin, others) + 1e-6, (me, cell, value, low, outcome)


def _attack_revision(dims, rules, attacker, me, versions: list[Table], earlier: int) -> None:
    version = attacker.count // attacker.width - 1
    before, after = versions[earlier], versions[-1]
    for cell in dims.cells():
        fines = [f for f in dims.fine_cells() if contains(cell, f)]
        old, new = per_member(before, fines), per_member(after, fines)
        change = {m: new.get(m, 0) - old.get(m, 0) for m in {*old, *new}}
        movers = [m for m, d in change.items() if d]
        delta = sum(change.values())
        others = delta - change.get(me, 0)
        if delta == 0 or len(movers) >= rules.min_contributors or others == 0:
            continue
        objective = attacker.indicator(version, cell) - attacker.indicator(earlier, cell)
        low, high = attacker.interval(objective)
        margin = rules.margin(others)
        assert high >= delta + margin - 1e-6, (me, cell, delta)
        assert low <= delta - margin + 1e-6, (me, cell, delta)


skewed = st.integers(0, 6).map(lambda n: 0 if n == 0 else int(math.exp(n)))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    members = [f"m{i}" for i in range(draw(st.integers(2, 5)))]
    table: dict = {}
    for fine in DIMS.fine_cells():
        for member in members:
            if draw(st.booleans()):
                table.setdefault(fine, {})[member] = draw(skewed)
    return table


@st.composite
def corrected(draw: st.DrawFn, corrections: int = 1) -> list[Table]:
    """A table, then `corrections` times one member (perhaps a new one) changing a few
    of its figures."""
    versions = [draw(tables())]
    for _ in range(corrections):
        mover = draw(st.sampled_from([*members_of(versions[-1]), "late"]))
        fixed = {fine: dict(figures) for fine, figures in versions[-1].items()}
        for fine in draw(st.lists(st.sampled_from(DIMS.fine_cells()), min_size=1, max_size=3)):
            fixed.setdefault(fine, {})[mover] = draw(skewed)
        versions.append(fixed)
    return versions


FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(tables())
def test_no_suppressed_cell_or_member_figure_is_recoverable(table: Table) -> None:
    assert_nothing_recoverable(DIMS, RULES, [table])


@FAST
@given(corrected())
def test_a_correction_reveals_neither_cells_nor_the_corrector(versions: list[Table]) -> None:
    assert_nothing_recoverable(DIMS, RULES, versions)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrected(corrections=2))
def test_two_corrections_reveal_nothing_against_either_earlier_release(
    versions: list[Table],
) -> None:
    assert_nothing_recoverable(DIMS, RULES, versions)


def five_equal(region: str, platform: str, category: str, value: int = 10) -> Table:
    return {(region, platform, category): {f"m{i}": value for i in range(5)}}


def test_primary_reasons_and_published_margins() -> None:
    dims = Dimensions(("EU", "CN"), ("amazon",), ("toys",))
    table: dict = {**five_equal("EU", "amazon", "toys")}
    table[("CN", "amazon", "toys")] = {"m0": 3, "m1": 4}
    outcomes = release(dims, table, Rules())
    assert outcomes[("CN", "amazon", "toys")].reason is Reason.TOO_FEW_CONTRIBUTORS
    # The total minus EU would give CN: one of the two must go too, with its reason.
    eu, total = outcomes[("EU", "amazon", "toys")], outcomes[(ALL, ALL, ALL)]
    assert Outcome(None, Reason.COMPLEMENTARY) in (eu, total)
    assert {eu.value, total.value} & {50, 57}


def test_a_dominant_member_is_suppressed() -> None:
    dims = Dimensions(("EU",), ("amazon",), ("toys",))
    table = {("EU", "amazon", "toys"): {"m0": 100, "m1": 5, "m2": 5, "m3": 5, "m4": 5}}
    outcomes = release(dims, table, Rules())
    assert outcomes[("EU", "amazon", "toys")].reason is Reason.DOMINANT_CONTRIBUTOR


def test_a_region_where_one_member_reports_is_not_isolated_by_differencing() -> None:
    dims = Dimensions(("EU", "CN", "AMER"), ("amazon", "ebay"), ("toys",))
    table: dict = {}
    for region in ("EU", "AMER"):
        for platform in ("amazon", "ebay"):
            table.update(five_equal(region, platform, "toys"))
    table[("CN", "amazon", "toys")] = {"lonely": 7}
    assert_nothing_recoverable(dims, Rules(), [table])
    outcomes = release(dims, table, Rules())
    assert outcomes[("EU", ALL, ALL)].value == 100  # safe cells still published


def test_a_late_report_by_one_member_is_not_revealed_by_the_new_totals() -> None:
    dims = Dimensions(("EU", "AMER"), ("amazon", "ebay"), ("toys",))
    first: dict = {}
    for region in ("EU", "AMER"):
        for platform in ("amazon", "ebay"):
            first.update(five_equal(region, platform, "toys"))
    late = {fine: dict(figures) for fine, figures in first.items()}
    late[("EU", "amazon", "toys")]["late"] = 9
    assert_nothing_recoverable(dims, Rules(), [first, late])
    before = release(dims, first, Rules())
    after = release(dims, late, Rules(), [EarlierRelease(first, published(before))])
    assert before[(ALL, ALL, ALL)].value == 200
    assert after[(ALL, ALL, ALL)].value is None  # 209 - 200 would be the late member's 9


def test_attacker_pins_a_naive_release() -> None:
    # The attacker is not vacuous: against a release that publishes every margin and
    # suppresses only the primary cell, it recovers the hidden cell exactly.
    dims = Dimensions(("EU", "CN"), ("amazon",), ("toys",))
    table: dict = {**five_equal("EU", "amazon", "toys")}
    table[("CN", "amazon", "toys")] = {"m0": 3}
    naive = {c: 50 if c[0] == "EU" else 53 for c in dims.cells() if c[0] != "CN"}
    attacker = Attacker(dims, [(table, naive)], None)
    low, high = attacker.interval(attacker.indicator(0, ("CN", "amazon", "toys")))
    assert low == high == 3
    assert np.isfinite(high)
