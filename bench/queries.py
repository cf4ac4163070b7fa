"""The read path's requests, measured in-process (bench.readpath) and over a socket (bench.http).

One analyst of a small EU member; the page of 50, the same page filtered, `match` of
1,000 values, `node(id)` and `{ viewer { kind } }` (the fixed cost of any request).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from alliance.indicators.kinds import Platform
from bench import dataset

VIEWER = "analyst-eu-40@bench.example"
PAGE = (
    "{ indicators(first: 50) { totalCount edges { node { id value kind owner { label } "
    "brands { name } corroboration { members } } } } }"
)
SEARCH = (
    '{ indicators(first: 50, filter: {valuePrefix: "lux", kinds: [DOMAIN, EMAIL]}) '
    "{ totalCount edges { node { value kind owner { label } brands { name } "
    "corroboration { members } } } } }"
)
MATCH = (
    "query($values: [IndicatorValueInput!]!) "
    "{ match(values: $values) { matchKey members indicators { id } } }"
)
MATCH_GROUPS = (
    "query($groups: [IndicatorValueGroupInput!]!) "
    "{ match(groups: $groups) { matchKey members indicators { id } } }"
)
NODE = "query($id: ID!) { node(id: $id) { ... on Indicator { value kind owner { label } } } }"
VIEWER_KIND = "{ viewer { kind } }"


def match_values(count: int, seed: int) -> list[dict[str, Any]]:
    """1,000 values of every template kind: about 80% held by someone, the rest unknown."""
    rng = random.Random(seed)
    values = []
    for _ in range(1000):
        kind = rng.choice(dataset.KINDS)
        number = rng.randrange(count) if rng.random() < 0.8 else count + rng.randrange(10**6)
        display, _, _, platform = dataset._value(kind, number)
        given: dict[str, Any] = {"kind": kind, "value": display.removeprefix("@")}
        if platform is not None:
            given["platform"] = Platform(platform).name
        values.append(given)
    return values


def grouped(values: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """The same values as `match(groups:)` takes them (one group per kind and platform),
    and the position in `values` of each grouped value, in the order of the groups."""
    positions: dict[tuple[str, str | None], list[int]] = {}
    for index, given in enumerate(values):
        positions.setdefault((given["kind"], given.get("platform")), []).append(index)
    groups = [
        {
            "kind": kind,
            "values": [values[index]["value"] for index in indexes],
            **({"platform": platform} if platform else {}),
        }
        for (kind, platform), indexes in positions.items()
    ]
    return groups, [index for indexes in positions.values() for index in indexes]


@dataclass(frozen=True)
class Request:
    label: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    at_least: int = 1  # runs, whatever the size: the cheap requests get more samples

    def runs(self, times: int) -> int:
        return max(times, self.at_least)


def requests(count: int, node_id: str) -> list[Request]:
    """Each measured request, in the order of the tables (`node_id`: an id the viewer may
    read, from the first page)."""
    return [
        Request("page of 50", PAGE),
        Request("search (valuePrefix + kinds)", SEARCH),
        Request("match of 1,000 values", MATCH, {"values": match_values(count, seed=11)}),
        Request(
            "match of the same 1,000, grouped",
            MATCH_GROUPS,
            {"groups": grouped(match_values(count, seed=11))[0]},
        ),
        Request("node(id)", NODE, {"id": node_id}, at_least=20),
        Request("{ viewer { kind } }", VIEWER_KIND, at_least=50),
    ]


def default_requests(count: int) -> int:
    """Few enough that one size runs in minutes: 50 at 10k, 20 at 100k, 5 at 1M."""
    return max(5, min(50, 2_000_000 // max(count, 1)))


def quantile_ms(samples: list[float], quantile: float) -> float:
    """The `quantile` of `samples` (seconds) in ms; of fewer than 100, p99 is the slowest."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(quantile * (len(ordered) - 1)))] * 1000
