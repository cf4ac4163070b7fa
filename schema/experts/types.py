"""The GraphQL shape of an expert profile, as one viewer may see it."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import relay

from alliance.experts.reads import VisibleExpert
from schema.enums import ExpertTopic
from schema.ids import to_global_id
from sharing.audience import format_audience


@strawberry.type(name="ExpertProfile", description="A person who opted in to the expert directory.")
class ExpertProfileType(relay.Node):
    id: relay.NodeID[str]
    topics: list[ExpertTopic]
    languages: list[str] = strawberry.field(description="ISO 639-1 codes.")
    regions: list[str] = strawberry.field(description="Region codes the expert knows.")
    bio: str = strawberry.field(description="Plain text, at most 1,000 characters.")
    region: str = strawberry.field(description="The home region of the expert's member.")
    label: str = strawberry.field(
        description='The person and member at FULL level, else "an expert at a member in <region>".'
    )
    name: str | None = strawberry.field(description="The person's name; null unless named.")
    member_id: strawberry.ID | None = strawberry.field(
        description="The expert's member; null unless named."
    )
    member_name: str | None = strawberry.field(
        description="The expert's member's legal name; null unless named."
    )
    is_own: bool = strawberry.field(description="Whether the expert is of your member.")
    audience: str | None = strawberry.field(
        description="The effective audience stored (text form); your member's profiles only."
    )
    updated_at: dt.datetime

    @classmethod
    def from_visible(cls, item: VisibleExpert) -> ExpertProfileType:
        p = item.profile
        named = item.member_name is not None
        label = (
            f"{item.person_name or 'an expert'} at {item.member_name}"
            if named
            else f"an expert at a member in {item.region}"
        )
        return cls(
            id=str(p.id),
            topics=[ExpertTopic(t) for t in item.topics],
            languages=list(item.languages),
            regions=list(item.regions),
            bio=p.bio,
            region=item.region,
            label=label,
            name=item.person_name,
            member_id=strawberry.ID(to_global_id("Member", item.member_id))
            if item.member_id
            else None,
            member_name=item.member_name,
            is_own=item.is_own,
            audience=None if item.audience is None else format_audience(item.audience),
            updated_at=p.updated_at,
        )
