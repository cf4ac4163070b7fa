from __future__ import annotations

import strawberry

from alliance.regions.models import Region


@strawberry.type(name="Region", description="A home region of members.")
class RegionType:
    code: str
    name: str

    @classmethod
    def from_model(cls, region: Region) -> RegionType:
        return cls(code=region.code, name=region.name)
