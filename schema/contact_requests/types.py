"""The GraphQL shape of a contact request, as its sender or its recipient sees it."""

from __future__ import annotations

import datetime as dt

import strawberry

from alliance.contact_requests.service import VisibleContactRequest
from schema.enums import ContactRequestStatus, IndicatorKind
from schema.ids import to_global_id
from schema.indicators.types import IndicatorType


@strawberry.type(
    name="ContactRequest",
    description=(
        "A request to talk about a record. The recipient sees who sent it; the sender "
        "learns who owns the record only if the owner accepts."
    ),
)
class ContactRequestType:
    id: strawberry.ID
    status: ContactRequestStatus
    received: bool = strawberry.field(description="Whether it was sent to your member.")
    kind: IndicatorKind
    match_key: str = strawberry.field(description="The value the record was reached by.")
    message: str
    created_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str | None = strawberry.field(description="The owner's answer, once answered.")
    sender_name: str | None = strawberry.field(
        description='The sending member, or "a former member"; shown to the recipient only.'
    )
    owner_name: str | None = strawberry.field(
        description=(
            'The owner member, or "a former member"; shown to the sender once the owner accepted.'
        )
    )
    contact_email: str | None = strawberry.field(
        description=(
            "Whom to write to: the user who accepted; null unless accepted, and once the "
            "owner has left the alliance."
        )
    )
    indicator: IndicatorType | None = strawberry.field(
        description="The record asked about; shown to its owner only."
    )

    @classmethod
    def from_visible(
        cls, item: VisibleContactRequest, indicator: IndicatorType | None = None
    ) -> ContactRequestType:
        r = item.request
        return cls(
            id=strawberry.ID(to_global_id("ContactRequest", r.id)),
            status=r.status,
            received=item.received,
            kind=r.kind,
            match_key=r.match_key,
            message=r.message,
            created_at=r.created_at,
            answered_at=r.answered_at,
            answer=r.answer,
            sender_name=item.sender_name,
            owner_name=item.owner_name,
            contact_email=item.contact_email,
            indicator=indicator if item.received else None,
        )
