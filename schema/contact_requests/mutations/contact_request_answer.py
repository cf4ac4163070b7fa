from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.contact_requests import service as contact_service
from schema.capabilities import mutation_field, requires
from schema.contact_requests.types import ContactRequestType
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.input(description="Answer a contact request sent to your member.")
class ContactRequestAnswerInput:
    id: strawberry.ID
    accept: bool = strawberry.field(
        description=(
            "True reveals your member's name and a contact email (`contactEmail`, else "
            "yours) to the sender."
        )
    )
    message: str = strawberry.field(description="1 to 2,000 characters, shown to the sender.")
    contact_email: str | None = strawberry.field(
        default=None,
        description="On acceptance, the address the sender may write to; null: your own email.",
    )


@strawberry.type(description="Why contactRequestAnswer failed.")
class ContactRequestAnswerError(MutationError):
    pass


@strawberry.type
class ContactRequestAnswerPayload:
    errors: list[ContactRequestAnswerError]
    contact_request: ContactRequestType | None = None


async def resolve(info: Info, input: ContactRequestAnswerInput) -> ContactRequestAnswerPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        answered = await contact_service.answer(
            session,
            viewer=info.context.viewer,
            request_id=require_id(input.id, "ContactRequest"),
            accept=input.accept,
            message=input.message,
            contact_email=input.contact_email,
        )
        shown = await contact_service.as_received(session, answered)
        return {"contact_request": ContactRequestType.from_visible(shown)}

    payload: ContactRequestAnswerPayload = await run_mutation(
        info,
        payload=ContactRequestAnswerPayload,
        error=ContactRequestAnswerError,
        operation=operation,
    )
    return payload


contact_request_answer = mutation_field(
    resolve,
    capability=requires(Scope.INDICATORS_WRITE, Scope.EXPERTISE_READ),
    description=(
        "Accept or decline a contact request sent to you (to your member about its records, "
        "or to you as an expert), with a message."
    ),
    payload=ContactRequestAnswerPayload,
    error=ContactRequestAnswerError,
)
