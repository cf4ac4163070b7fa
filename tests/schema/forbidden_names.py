"""Competition law in the schema (DESIGN §2): no name of a type, field, argument, input
field or enum value speaks of prices, costs, capacities, sales volumes, revenue,
customers, strategies or forecasts, or of a collective refusal to deal.

Names are split into words (camelCase, snake_case, UPPER_CASE), so `unitPrice` and
`SALES_VOLUME` are caught while `costume` is not. `CeilingMode.REFUSE` (a write refused by
a policy ceiling) is not a refusal to deal: only `refuse`/`refusal` next to `deal`, `sell`,
`supply` or `trade` is. The query cost of DESIGN §7 lives in `extensions.cost` of a
response, not in the schema, so it never appears here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
)

FORBIDDEN_WORDS = frozenset(
    {
        "price", "prices", "pricing", "cost", "costs", "capacity", "capacities",
        "sales", "salesvolume", "revenue", "revenues", "turnover", "margin", "margins",
        "customer", "customers", "client_list", "strategy", "strategies", "strategic",
        "forecast", "forecasts", "forecasting", "boycott", "boycotts", "blacklist",
        "blacklisted",
    }
)  # fmt: skip
REFUSAL = frozenset({"refuse", "refusal", "refusing", "boycott"})
DEALING = frozenset({"deal", "dealing", "sell", "selling", "supply", "trade", "trading"})


def words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ")
    return [word.lower() for word in spaced.split()]


def is_forbidden(name: str) -> bool:
    found = words(name)
    if any(word in FORBIDDEN_WORDS for word in found):
        return True
    if "".join(found).find("salesvolume") >= 0:
        return True
    return bool(REFUSAL & set(found)) and bool(DEALING & set(found))


def names(sdl: str) -> Iterator[str]:
    """Every type, field, argument, input field and enum value name of `sdl`."""
    schema = build_schema(sdl)
    for type_name, kind in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        yield type_name
        if isinstance(kind, GraphQLEnumType):
            yield from kind.values
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                yield field_name
                yield from field.args
        if isinstance(kind, GraphQLInputObjectType):
            yield from kind.fields


def forbidden_names(sdl: str) -> list[str]:
    return sorted({name for name in names(sdl) if is_forbidden(name)})
