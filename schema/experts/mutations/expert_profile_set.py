from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.experts import reads as expert_reads
from alliance.experts import service as expert_service
from alliance.indicators.drafts import parse_requested_audience
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import ExpertTopic
from schema.errors import MutationError
from schema.experts.types import ExpertProfileType
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.input(description="Your expert profile; every field replaces what it held.")
class ExpertProfileSetInput:
    topics: list[ExpertTopic] = strawberry.field(description="At least one.")
    languages: list[str] = strawberry.field(
        description="ISO 639-1 codes (e.g. `en`); at least one."
    )
    regions: list[str] = strawberry.field(
        default_factory=list, description="Region codes you know (see `regions`)."
    )
    bio: str = strawberry.field(default="", description="Plain text, at most 1,000 characters.")
    audience: str | None = strawberry.field(
        default=None,
        description=(
            'Who may find you, e.g. "alliance=ANONYMOUS, region:EU=FULL" (FULL or ANONYMOUS '
            "only); null: your member policy's default for expert profiles."
        ),
    )


@strawberry.type(description="Why expertProfileSet failed.")
class ExpertProfileSetError(MutationError):
    pass


@strawberry.type
class ExpertProfileSetPayload:
    errors: list[ExpertProfileSetError]
    expert_profile: ExpertProfileType | None = None


async def resolve(info: Info, input: ExpertProfileSetInput) -> ExpertProfileSetPayload:
    viewer = info.context.viewer

    async def operation(session: AsyncSession) -> dict[str, Any]:
        draft = expert_service.ProfileDraft(
            topics=tuple(t.value for t in input.topics),
            languages=tuple(input.languages),
            regions=tuple(input.regions),
            bio=input.bio,
            audience=parse_requested_audience(input.audience),
        )
        await expert_service.set_profile(session, viewer=viewer, draft=draft)
        found = await expert_reads.of_user(session, viewer=viewer)
        return {"expert_profile": None if found is None else ExpertProfileType.from_visible(found)}

    payload: ExpertProfileSetPayload = await run_mutation(
        info, payload=ExpertProfileSetPayload, error=ExpertProfileSetError, operation=operation
    )
    return payload


expert_profile_set = mutation_field(
    resolve,
    capability=requires(Scope.EXPERTISE_WRITE),
    description=(
        "Opt in to the expert directory, or change your profile: people only, about "
        "themselves. Analysts reach you through contact requests."
    ),
    payload=ExpertProfileSetPayload,
    error=ExpertProfileSetError,
)
