"""`experts` (the directory, filtered) and `myExpertProfile`."""

from __future__ import annotations

import strawberry

from alliance.experts import reads as expert_reads
from alliance.experts.search import ExpertFilter, count, search
from alliance.pagination import Total
from schema.capabilities import query_field, requires
from schema.connection import Connection, connection_from_page
from schema.context import Info
from schema.enums import ExpertTopic
from schema.experts.types import ExpertProfileType
from sharing import Scope


@strawberry.input(description="Each list narrows: a profile holding any one of its items matches.")
class ExpertFilterInput:
    topics: list[ExpertTopic] | None = None
    languages: list[str] | None = strawberry.field(default=None, description="ISO 639-1 codes.")
    regions: list[str] | None = strawberry.field(
        default=None, description="Region codes (see `regions`); any other is an error."
    )

    def to_domain(self) -> ExpertFilter:
        return ExpertFilter(
            topics=tuple(t.value for t in self.topics or ()),
            languages=tuple(self.languages or ()),
            regions=tuple(self.regions or ()),
        )


async def resolve_experts(
    info: Info, first: int = 50, after: str | None = None, filter: ExpertFilterInput | None = None
) -> Connection[ExpertProfileType]:
    viewer = info.context.viewer
    wanted = filter.to_domain() if filter is not None else ExpertFilter()
    async with info.context.session() as session:
        page = await search(session, viewer=viewer, wanted=wanted, first=first, after=after)

    async def total() -> Total:
        async with info.context.session() as session:
            return Total(await count(session, viewer=viewer, wanted=wanted))

    return connection_from_page(page, ExpertProfileType.from_visible, count=total)


async def resolve_my_expert_profile(info: Info) -> ExpertProfileType | None:
    async with info.context.session() as session:
        found = await expert_reads.of_user(session, viewer=info.context.viewer)
    return None if found is None else ExpertProfileType.from_visible(found)


experts = query_field(
    resolve_experts,
    capability=requires(Scope.EXPERTISE_READ),
    description=(
        "People who opted in to the expert directory and whom you may see (your member's, "
        "and others' shared with you at FULL or ANONYMOUS level). `first` is at most 100. "
        "Reach one with `contactRequestSend(input: {expertProfileId})`."
    ),
)
my_expert_profile = query_field(
    resolve_my_expert_profile,
    capability=requires(Scope.EXPERTISE_READ),
    description="Your own expert profile; null unless you opted in.",
)
