"""`similarImages`: near-duplicate product images by PDQ hash."""

from __future__ import annotations

import strawberry

from alliance.indicators import images
from alliance.indicators.normalize import PDQ_NEAR_DUPLICATE_DISTANCE
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.indicators.types import IndicatorType
from sharing import Scope


@strawberry.type(description="An image indicator near the query hash, and how near.")
class SimilarImage:
    distance: int = strawberry.field(description="Hamming distance to the query hash (0-31).")
    indicator: IndicatorType


async def resolve_similar_images(
    info: Info,
    pdq: str,
    quality: int,
    max_distance: int = PDQ_NEAR_DUPLICATE_DISTANCE,
    first: int = 20,
) -> list[SimilarImage]:
    async with info.context.session() as session:
        found = await images.similar_images(
            session,
            viewer=info.context.viewer,
            reads=info.context.reads,
            pdq=pdq,
            quality=quality,
            max_distance=max_distance,
            first=first,
        )
    return [
        SimilarImage(distance=item.distance, indicator=IndicatorType.from_visible(item.indicator))
        for item in found
    ]


similar_images = query_field(
    resolve_similar_images,
    capability=requires(Scope.INDICATORS_READ),
    description=(
        "IMAGE_PDQ indicators you may list whose hash is within `maxDistance` (0-31) of "
        "`pdq`, nearest first, at most `first` (<= 100). A query hash of quality below 50 "
        "is refused (field `quality`). MATCH_ONLY records are never returned."
    ),
)
