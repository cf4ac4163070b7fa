"""The GraphQL shape of a contact request, as its sender or its recipient sees it."""

from __future__ import annotations

import datetime as dt

import strawberry

from alliance.contact_requests.service import VisibleContactRequest
from schema.enums import ContactRequestStatus, ContactTarget, IndicatorKind
from schema.experts.types import ExpertProfileType
from schema.ids import to_global_id
from schema.indicators.types import IndicatorType


@strawberry.type(
    name="ContactRequest",
    description=(
        "A request to talk about a record, or to an expert. The recipient sees who sent it; "
        "the sender learns who owns the record (or who the expert is) only if they accept."
    ),
)
class ContactRequestType:
    id: strawberry.ID
    status: ContactRequestStatus
    received: bool = strawberry.field(
        description="Whether it was sent to you (your member's records, or you as an expert)."
    )
    target: ContactTarget = strawberry.field(description="An indicator's owner, or an expert.")
    kind: IndicatorKind | None = strawberry.field(description="The record's kind; indicators only.")
    match_key: str | None = strawberry.field(
        description="The value the record was reached by; indicators only."
    )
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
    expert_profile: ExpertProfileType | None = strawberry.field(
        description=(
            "The expert profile asked for, as you may see it now; null once removed or "
            "invisible to you."
        )
    )

    @classmethod
    def from_visible(
        cls,
        item: VisibleContactRequest,
        indicator: IndicatorType | None = None,
        expert_profile: ExpertProfileType | None = None,
    ) -> ContactRequestType:
        r = item.request
        return cls(
            id=strawberry.ID(to_global_id("ContactRequest", r.id)),
            status=r.status,
            received=item.received,
            target=r.target,
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
            expert_profile=expert_profile,
        )
