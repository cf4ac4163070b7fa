"""Input objects that arrive by the thousand, built in one pass.

Strawberry turns each input object of a request into its class field by field, working
out every field's type and GraphQL name again for each object (`convert_argument`): for
the 1,000 values of a `match` or the 5,000 items of an `indicatorsUpsert`, that was about
half of the request (docs/performance.md). `one_pass` gives such a class strawberry's
`from_input` hook, which builds it from a plan made once per class: for each field, its
GraphQL name and whether its value needs converting (nested input objects and lists do,
through strawberry's own `InputContext.convert`; scalars and enums, which graphql-core
has already coerced, are taken as they are).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from strawberry.relay import GlobalID
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryOptional, StrawberryType
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

T = TypeVar("T", bound=type)

# Scalars whose Python value is the value graphql-core gives (GlobalID is parsed apart).
_PLAIN = (str, int, float, bool)


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    graphql_name: str
    python_name: str
    convert: StrawberryType | type | None  # None: the coerced value as it is


def _as_is(type_: Any, scalars: Mapping[object, Any]) -> bool:
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is GlobalID:
        return False
    if isinstance(type_, StrawberryEnumDefinition) or has_enum_definition(type_):
        return True
    return type_ in _PLAIN or type_ in scalars


def one_pass(cls: T) -> T:
    """Build instances of the input class `cls` in one pass over their fields."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    plan: list[_Field] = []
    unset = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    }

    def build(type_: type, value: Mapping[str, Any], context: InputContext) -> Any:
        if not plan:
            for field in definition.fields:
                resolved = field.resolve_type(type_definition=definition)
                plan.append(
                    _Field(
                        context.config.name_converter.from_field(field),
                        field.python_name,
                        None if _as_is(resolved, context.scalar_registry) else resolved,
                    )
                )
        given = dict(unset)
        for field in plan:
            if field.graphql_name in value:
                item = value[field.graphql_name]
                if field.convert is not None and item is not None:
                    item = context.convert(item, field.convert, field.graphql_name)
                given[field.python_name] = item
        return type_(**given)

    definition.from_input = build
    return cls
