"""Inputs shared by indicator queries and mutations."""

from __future__ import annotations

import strawberry

from alliance.indicators.normalize import IndicatorValue
from schema.enums import IndicatorKind, Platform


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
        return IndicatorValue(
            value=self.value,
            platform=self.platform,
            platform_domain=self.platform_domain,
            provider=self.provider,
            country=self.country,
            locality=self.locality,
            region=self.region,
            postal_code=self.postal_code,
            quality=self.quality,
        )
