"""Disclosure control for aggregates (DESIGN §5): which cells of a table may be published.

Pure: no database. A *table* is what members contributed per finest cell (region,
platform, category) for one metric and one period. `release` returns every cell of the
full cube — each combination of (region | ALL, platform | ALL, category | ALL), every
margin included — with its value, or with the reason it is suppressed:

- `TOO_FEW_CONTRIBUTORS`: fewer than `min_contributors` members reported a positive figure;
- `DOMINANT_CONTRIBUTOR`: one member holds more than `dominance` of the cell;
- `COMPLEMENTARY`: the cell would let someone recover a suppressed cell or a correction.

Complementary suppression is proved by an audit (sharing/disclosure_audit.py): for each
sensitive cell, and from the view of each contributor that knows its own figures, a
linear program bounds the cell over every non-negative table consistent with every
published cell — of this release and of the earlier releases of the same period, which are
public forever — and more cells are suppressed until each interval is wide. The reasoning
and its limits: docs/trends.md.
"""

from __future__ import annotations

import enum
import itertools
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

ALL = "*"  # the margin over a dimension

FineCell = tuple[str, str, str]  # (region, platform, category)
Cell = tuple[str, str, str]  # a cube cell: each coordinate a value or ALL
Table = Mapping[FineCell, Mapping[str, int]]  # finest cell -> contributor -> figure


class Reason(enum.StrEnum):
    """Why a cell carries no value."""

    TOO_FEW_CONTRIBUTORS = "TOO_FEW_CONTRIBUTORS"
    DOMINANT_CONTRIBUTOR = "DOMINANT_CONTRIBUTOR"
    COMPLEMENTARY = "COMPLEMENTARY"
    PERIOD_NOT_RELEASED = "PERIOD_NOT_RELEASED"  # decided at query time, never stored


@dataclass(frozen=True, slots=True)
class Rules:
    """The thresholds of one release (alliance settings at the time it is built)."""

    min_contributors: int = 5
    dominance: float = 0.25
    protection: float = 0.2  # a hidden figure stays uncertain by at least this share

    def margin(self, value: int) -> int:
        """How far either way a hidden figure of `value` must stay uncertain."""
        return max(1, math.ceil(self.protection * abs(value)))


@dataclass(frozen=True, slots=True)
class Dimensions:
    """The values of each dimension; the cube spans them all, whatever was reported."""

    regions: tuple[str, ...]
    platforms: tuple[str, ...]
    categories: tuple[str, ...]

    def fine_cells(self) -> list[FineCell]:
        return list(itertools.product(self.regions, self.platforms, self.categories))

    def cells(self) -> list[Cell]:
        return list(
            itertools.product((*self.regions, ALL), (*self.platforms, ALL), (*self.categories, ALL))
        )


def contains(cell: Cell, fine: FineCell) -> bool:
    """Whether the cube cell `cell` adds up the finest cell `fine`."""
    return all(part in (ALL, value) for part, value in zip(cell, fine, strict=True))


@dataclass(frozen=True, slots=True)
class Outcome:
    """One cell of a release: its value, or None and the reason."""

    value: int | None
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class EarlierRelease:
    """A frozen release of the same period: the table it was built from and what it published."""

    table: Table
    published: Mapping[Cell, int] = field(default_factory=dict)


def per_member(table: Table, fines: Iterable[FineCell]) -> dict[str, int]:
    """Each contributor's figure summed over `fines`."""
    sums: dict[str, int] = {}
    for fine in fines:
        for member, value in table.get(fine, {}).items():
            sums[member] = sums.get(member, 0) + value
    return sums


def primary(rules: Rules, figures: Mapping[str, int]) -> Reason | None:
    """Why a cell whose contributors gave `figures` may not be published on its own, if so."""
    positive = [value for value in figures.values() if value > 0]
    if len(positive) < rules.min_contributors:
        return Reason.TOO_FEW_CONTRIBUTORS
    if max(positive) > rules.dominance * sum(positive):
        return Reason.DOMINANT_CONTRIBUTOR
    return None


def release(
    dimensions: Dimensions,
    table: Table,
    rules: Rules,
    earlier: Sequence[EarlierRelease] = (),
) -> dict[Cell, Outcome]:
    """Every cell of the cube of `table`, published or suppressed with a reason, such that
    no suppressed figure, no contributor's figure and no correction since `earlier` can be
    narrowed below the protection margin from this release and `earlier` together, even
    by a contributor that subtracts its own figures."""
    from sharing.disclosure_audit import Audit

    audit = Audit(dimensions, table, rules, earlier)
    outcomes = audit.run()
    if audit.unprotected:
        # Earlier releases (e.g. built under looser rules) pin these already; suppressing
        # more of this release cannot widen them. Logged for the operator.
        logger.warning(
            "disclosure: %d quantities pinned by earlier releases", len(audit.unprotected)
        )
    return outcomes
