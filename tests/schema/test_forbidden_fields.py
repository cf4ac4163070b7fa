"""The committed schema has no field competition law forbids (tests/schema/forbidden_names.py),
and the checker would catch one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.schema.forbidden_names import forbidden_names

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_the_schema_has_no_forbidden_name() -> None:
    assert forbidden_names(SDL.read_text()) == []


@pytest.mark.parametrize(
    ("snippet", "caught"),
    [
        ("type TrendReport { unitPrice: Int }", "unitPrice"),
        ("type Query { trends(costPerUnit: Int): Int }", "costPerUnit"),
        ("input RowInput { SALES_VOLUME: Int }", "SALES_VOLUME"),
        ("input RowInput { salesVolume: Int }", "salesVolume"),
        ("enum Metric { FACTORY_CAPACITY }", "FACTORY_CAPACITY"),
        ("type Customer { id: ID }", "Customer"),
        ("type Plan { pricingStrategy: String }", "pricingStrategy"),
        ("type Plan { demandForecast: Int }", "demandForecast"),
        ("type Mutation { sellerRefuseToDeal(id: ID): Int }", "sellerRefuseToDeal"),
        ("type Mutation { boycottSeller(id: ID): Int }", "boycottSeller"),
        ("type Brand { annualRevenue: Int }", "annualRevenue"),
    ],
)
def test_the_checker_catches_a_forbidden_name(snippet: str, caught: str) -> None:
    assert caught in forbidden_names(
        f"type Query {{ ok: Int }}\n{snippet}".replace(
            "type Query { ok: Int }\ntype Query", "type Query"
        )
    )


def test_the_checker_lets_ordinary_names_through() -> None:
    sdl = "type Query { costume: Int, unitsSeized: Int, ceiling: Mode }\nenum Mode { CLIP REFUSE }"
    assert forbidden_names(sdl) == []
