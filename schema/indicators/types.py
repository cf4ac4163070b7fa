"""GraphQL types of indicators, sightings and links. Scalars are plain attributes; the
nested graph (sightings, links, corroboration) goes through per-request DataLoaders."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry import relay

from alliance.indicators.models import Link
from alliance.indicators.reads import VisibleIndicator
from alliance.indicators.sightings import VisibleSighting
from alliance.members.departures import FORMER_MEMBER
from schema.brands.types import BrandType
from schema.context import Info
from schema.enums import (
    EvidenceLevel,
    IndicatorKind,
    IndicatorStatus,
    LinkType,
    Purpose,
    SightingKind,
    Tlp,
)
from schema.ids import to_global_id
from schema.indicators.loaders import (
    corroboration_by_indicator_loader,
    indicators_by_id_loader,
    links_by_indicator_loader,
    sightings_by_indicator_loader,
)
from sharing.audience import format_audience


@strawberry.type(description="Who holds an indicator: named at FULL level, else only a region.")
class IndicatorOwner:
    id: strawberry.ID | None = strawberry.field(description="The owner member; null unless named.")
    name: str | None = strawberry.field(description="The owner's legal name; null unless named.")
    region: str | None = strawberry.field(
        description="The owner's home region; null once the owner has left the alliance."
    )
    label: str = strawberry.field(
        description='The name, "a member in <region>", or "a former member".'
    )


@strawberry.type(description="A legal hold: the record is kept from the purge. Owner only.")
class LegalHold:
    reason: str | None
    set_at: dt.datetime | None


@strawberry.type(description="How many sightings of each kind an indicator has.")
class SightingCount:
    kind: SightingKind
    count: int


@strawberry.type(description="How many members hold the same match key, and sightings by kind.")
class Corroboration:
    members: int = strawberry.field(
        description="Members holding this match key among records you may know of (you too)."
    )
    sightings: list[SightingCount]


@strawberry.type(name="Sighting", description="A member's corroboration of an indicator.")
class SightingType(relay.Node):
    id: relay.NodeID[str]
    kind: SightingKind
    at: dt.datetime
    note: str | None
    indicator_id: strawberry.ID = strawberry.field(description="The indicator seen.")
    member_id: strawberry.ID | None = strawberry.field(
        description=(
            "The sighting member; null unless it disclosed itself (or it is you), and once"
            " it has left the alliance."
        )
    )
    member_name: str | None = strawberry.field(
        description=(
            'The sighting member\'s name, or "a former member" once it has left the alliance;'
            " null unless it disclosed itself (or it is you)."
        )
    )

    @classmethod
    def from_visible(cls, item: VisibleSighting) -> SightingType:
        s = item.sighting
        return cls(
            id=str(s.id),
            kind=s.kind,
            at=s.at,
            note=s.note,
            indicator_id=strawberry.ID(to_global_id("Indicator", s.indicator_id)),
            member_id=None
            if item.member_id is None
            else strawberry.ID(to_global_id("Member", item.member_id)),
            member_name=item.member_name,
        )


@strawberry.type(name="Link", description="A typed relation between two indicators.")
class LinkObject(relay.Node):
    id: relay.NodeID[str]
    kind: LinkType
    note: str | None
    made_by_you: bool = strawberry.field(description="Whether your member made this link.")
    source_id: strawberry.Private[uuid.UUID]
    target_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The indicator the link starts from.")  # type: ignore[untyped-decorator]
    async def source(self, info: Info) -> IndicatorType | None:
        return await _indicator(info, self.source_id)

    @strawberry.field(description="The indicator the link points to.")  # type: ignore[untyped-decorator]
    async def target(self, info: Info) -> IndicatorType | None:
        return await _indicator(info, self.target_id)

    @classmethod
    def from_model(cls, link: Link, member_id: uuid.UUID | None) -> LinkObject:
        return cls(
            id=str(link.id),
            kind=link.link_type,
            note=link.note,
            made_by_you=link.member_id == member_id,
            source_id=link.source_id,
            target_id=link.target_id,
        )


def _anonymous(region: str) -> str:
    return f"a member in {region}"


def _label(item: VisibleIndicator) -> str:
    if item.former or item.owner_region is None:
        return FORMER_MEMBER
    if item.owner_id is not None and item.owner_name:
        return item.owner_name
    return _anonymous(item.owner_region)


async def _indicator(info: Info, indicator_id: uuid.UUID) -> IndicatorType | None:
    loader = info.context.loader("indicators_by_id", indicators_by_id_loader)
    found: VisibleIndicator | None = await loader.load(indicator_id)
    return None if found is None else IndicatorType.from_visible(found)


@strawberry.type(name="Indicator", description="Something that identifies an infringer.")
class IndicatorType(relay.Node):
    id: relay.NodeID[str]
    kind: IndicatorKind
    value: str = strawberry.field(description="The value as people read it.")
    match_key: str = strawberry.field(description="The normalised key matches are made on.")
    platform: str | None
    confidence: int = strawberry.field(description="0-100.")
    evidence_level: EvidenceLevel
    jurisdiction: str | None
    purpose: Purpose
    tlp: Tlp
    first_seen: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime | None = strawberry.field(
        description="When it leaves every other member's view (default per kind)."
    )
    status: IndicatorStatus = strawberry.field(
        description="EXPIRED as soon as the expiry has passed (only its owner sees it then)."
    )
    owner: IndicatorOwner
    is_own: bool = strawberry.field(description="Whether your member owns this indicator.")
    brands: list[BrandType] | None = strawberry.field(
        description="Brands concerned; null unless the owner is named to you."
    )
    external_id: str | None = strawberry.field(description="The owner's own id; owner only.")
    audience: str | None = strawberry.field(
        description="The effective audience stored (text form); owner only."
    )
    legal_hold: LegalHold | None = strawberry.field(
        description="Set when the owner holds it from the purge; owner only."
    )
    indicator_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Sightings, newest first: the newest 20.")  # type: ignore[untyped-decorator]
    async def sightings(self, info: Info) -> list[SightingType]:
        loader = info.context.loader("sightings_by_indicator", sightings_by_indicator_loader)
        return [SightingType.from_visible(s) for s in await loader.load(self.indicator_id)]

    @strawberry.field(description="Links whose other end you may see too.")  # type: ignore[untyped-decorator]
    async def links(self, info: Info) -> list[LinkObject]:
        loader = info.context.loader("links_by_indicator", links_by_indicator_loader)
        links = await loader.load(self.indicator_id)
        member_id = info.context.viewer.member_id
        return [LinkObject.from_model(link, member_id) for link in links]

    @strawberry.field(description="Seen by how many members, and sightings.")  # type: ignore[untyped-decorator]
    async def corroboration(self, info: Info) -> Corroboration:
        loader = info.context.loader("corroboration", corroboration_by_indicator_loader)
        found = await loader.load((self.indicator_id, (self.kind, self.match_key)))
        if found is None:
            return Corroboration(members=0, sightings=[])
        counts = [SightingCount(kind=k, count=n) for k, n in sorted(found.sightings.items())]
        return Corroboration(members=found.holders, sightings=counts)

    @classmethod
    def from_visible(cls, item: VisibleIndicator) -> IndicatorType:
        i = item.indicator
        own = item.audience is not None
        owner = IndicatorOwner(
            id=strawberry.ID(to_global_id("Member", item.owner_id)) if item.owner_id else None,
            name=item.owner_name,
            region=item.owner_region,
            label=_label(item),
        )
        return cls(
            id=str(i.id),
            indicator_id=i.id,
            kind=i.kind,
            value=i.value,
            match_key=i.match_key,
            platform=i.platform,
            confidence=i.confidence,
            evidence_level=i.evidence_level,
            jurisdiction=i.jurisdiction,
            purpose=i.purpose,
            tlp=i.tlp,
            first_seen=i.first_seen,
            last_seen=i.last_seen,
            expires_at=i.expires_at,
            status=item.status,
            owner=owner,
            is_own=own,
            brands=None if item.brands is None else [BrandType.from_model(b) for b in item.brands],
            external_id=i.external_id if own else None,
            audience=format_audience(item.audience) if item.audience is not None else None,
            legal_hold=LegalHold(reason=i.legal_hold_reason, set_at=i.legal_hold_at)
            if own and i.legal_hold
            else None,
        )
