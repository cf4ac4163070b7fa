"""Inputs shared by indicator queries and mutations."""

from __future__ import annotations

import strawberry

from alliance.indicators.normalize import IndicatorValue
from schema.enums import IndicatorKind, Platform
from schema.input_objects import one_pass


@one_pass
@strawberry.input(
    description="An indicator value as you found it; fields a kind ignores are ignored."
)
class IndicatorValueInput:
    kind: IndicatorKind
    value: str = strawberry.field(description="The value; for ADDRESS, the street lines.")
    platform: Platform | None = None
    platform_domain: str | None = strawberry.field(
        default=None, description="The platform's web domain when platform is OTHER."
    )
    provider: Platform | None = strawberry.field(
        default=None, description="The payment provider of a PAYMENT_ACCOUNT."
    )
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    quality: int | None = strawberry.field(default=None, description="PDQ quality, 0-100.")

    def to_domain(self) -> IndicatorValue:
        return _indicator_value(self, self.value)


@one_pass
@strawberry.input(
    description=(
        "Values of one kind found in one context, e.g. {kind: DOMAIN, values: [...]}: "
        "the other fields apply to every value, as in IndicatorValueInput."
    )
)
class IndicatorValueGroupInput:
    kind: IndicatorKind
    values: list[str] = strawberry.field(description="The values, each as `value` would be.")
    platform: Platform | None = None
    platform_domain: str | None = strawberry.field(
        default=None, description="The platform's web domain when platform is OTHER."
    )
    provider: Platform | None = strawberry.field(
        default=None, description="The payment provider of a PAYMENT_ACCOUNT."
    )
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    quality: int | None = strawberry.field(default=None, description="PDQ quality, 0-100.")

    def to_domain(self) -> list[tuple[IndicatorKind, IndicatorValue]]:
        return [(self.kind, _indicator_value(self, value)) for value in self.values]


def _indicator_value(
    given: IndicatorValueInput | IndicatorValueGroupInput, value: str
) -> IndicatorValue:
    return IndicatorValue(
        value=value,
        platform=given.platform,
        platform_domain=given.platform_domain,
        provider=given.provider,
        country=given.country,
        locality=given.locality,
        region=given.region,
        postal_code=given.postal_code,
        quality=given.quality,
    )
