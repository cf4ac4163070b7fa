from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.contact_requests import service as contact_service
from schema.capabilities import mutation_field, requires
from schema.contact_requests.types import ContactRequestType
from schema.context import Info
from schema.errors import MutationError
from schema.ids import parse_global_id, require_id
from schema.indicators.inputs import IndicatorValueInput
from schema.mutations import run_mutation
from sharing import Scope

# No profile has this id: a malformed one is looked up like any missing profile.
NO_ID = uuid.UUID(int=0)


@strawberry.input(
    description=(
        "Give exactly one target: `indicatorId` (a record you may list), `value`, or "
        "`expertProfileId` (an expert you may list)."
    )
)
class ContactRequestSendInput:
    indicator_id: strawberry.ID | None = strawberry.field(
        default=None, description="A record you may list."
    )
    value: IndicatorValueInput | None = strawberry.field(
        default=None,
        description="A value you matched: every other member holding it gets the request.",
    )
    expert_profile_id: strawberry.ID | None = strawberry.field(
        default=None, description="An expert you may list: the request goes to that person."
    )
    message: str = strawberry.field(description="1 to 2,000 characters, shown to the recipient.")


@strawberry.type(description="Why contactRequestSend failed.")
class ContactRequestSendError(MutationError):
    pass


@strawberry.type
class ContactRequestSendPayload:
    errors: list[ContactRequestSendError]
    requests: list[ContactRequestType] = strawberry.field(
        default_factory=list, description="One per owner reached; owners are not named."
    )


async def resolve(info: Info, input: ContactRequestSendInput) -> ContactRequestSendPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        indicator_id = None
        if input.indicator_id is not None:
            indicator_id = require_id(input.indicator_id, "Indicator", field="indicatorId")
        value = None if input.value is None else (input.value.kind, input.value.to_domain())
        expert = None
        if input.expert_profile_id is not None:
            # A malformed id answers exactly like a missing or invisible profile.
            parsed = parse_global_id(str(input.expert_profile_id))
            expert = parsed[1] if parsed is not None and parsed[0] == "ExpertProfile" else NO_ID
        sent = await contact_service.send(
            session,
            viewer=info.context.viewer,
            message=input.message,
            indicator_id=indicator_id,
            value=value,
            expert_profile_id=expert,
        )
        return {
            "requests": [ContactRequestType.from_visible(contact_service.as_sent(r)) for r in sent]
        }

    payload: ContactRequestSendPayload = await run_mutation(
        info, payload=ContactRequestSendPayload, error=ContactRequestSendError, operation=operation
    )
    return payload


contact_request_send = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE, Scope.EXPERTISE_READ),
    description=(
        "Ask the owner of a record you listed or matched (MATCH_ONLY included), or an "
        "expert you found in `experts`, to get in touch. The recipient sees your member's "
        "name and decides whether to answer; you learn who it is only if it accepts. One "
        "open request per record (or expert) and member. Records need `indicators:write`, "
        "experts `expertise:read`."
    ),
    payload=ContactRequestSendPayload,
    error=ContactRequestSendError,
)
