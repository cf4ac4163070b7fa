from __future__ import annotations

import strawberry
from strawberry import relay

from alliance.brands.models import Brand


@strawberry.type(description="A registered trademark of a brand.")
class Trademark:
    office: str = strawberry.field(description="The registering office, e.g. EUIPO, USPTO, CNIPA.")
    registration_number: str
    nice_classes: list[int] = strawberry.field(description="Nice classification classes, 1-45.")


@strawberry.type(name="Brand", description="A brand of a member.")
class BrandType(relay.Node):
    id: relay.NodeID[str]
    name: str
    trademarks: list[Trademark]
    product_categories: list[str]

    @classmethod
    def from_model(cls, brand: Brand) -> BrandType:
        return cls(
            id=str(brand.id),
            name=brand.name,
            trademarks=[
                Trademark(
                    office=t["office"],
                    registration_number=t["registration_number"],
                    nice_classes=list(t["nice_classes"]),
                )
                for t in brand.trademarks
            ],
            product_categories=list(brand.product_categories),
        )
