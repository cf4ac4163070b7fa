"""The `indicators` connection and `match`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry

from alliance.errors import InvalidInput
from alliance.indicators import matching
from alliance.indicators import reads as indicator_reads
from alliance.indicators.normalize import IndicatorValue
from alliance.indicators.reads import VisibleIndicator
from alliance.indicators.search import IndicatorFilter, count, search
from alliance.pagination import Page, Total
from schema.capabilities import query_field, requires
from schema.connection import Connection, connection_from_page
from schema.context import Info
from schema.enums import ErrorCode, IndicatorKind, IndicatorOrder, IndicatorStatus, Platform
from schema.errors import from_domain
from schema.ids import parse_global_id
from schema.indicators.inputs import IndicatorValueGroupInput, IndicatorValueInput
from schema.indicators.types import IndicatorType
from sharing import Scope

NO_BRAND = uuid.UUID(int=0)


@strawberry.input(description="Every field narrows the list; leave it out to leave it open.")
class IndicatorFilterInput:
    kinds: list[IndicatorKind] | None = None
    platform: Platform | None = None
    brand_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only records whose owner is named to you can match a brand."
    )
    owner_region: str | None = strawberry.field(
        default=None, description="A region code (see `regions`); any other is an error."
    )
    status: IndicatorStatus | None = None
    min_confidence: int | None = None
    max_confidence: int | None = None
    seen_after: dt.datetime | None = strawberry.field(
        default=None, description="Last seen at or after."
    )
    seen_before: dt.datetime | None = strawberry.field(
        default=None, description="First seen at or before."
    )
    value_prefix: str | None = strawberry.field(
        default=None, description="Values starting with this text (case-sensitive)."
    )
    value_contains: str | None = strawberry.field(
        default=None,
        description="Values holding this text anywhere, in any letter case; at least 3 characters.",
    )

    def to_domain(self) -> IndicatorFilter:
        brand = None
        if self.brand_id is not None:
            parsed = parse_global_id(str(self.brand_id))
            # An id that is not a brand's matches nothing, like an unknown brand.
            brand = parsed[1] if parsed is not None and parsed[0] == "Brand" else NO_BRAND
        return IndicatorFilter(
            kinds=tuple(self.kinds or ()),
            platform=self.platform,
            brand_id=brand,
            owner_region=self.owner_region,
            status=self.status,
            min_confidence=self.min_confidence,
            max_confidence=self.max_confidence,
            seen_after=self.seen_after,
            seen_before=self.seen_before,
            value_prefix=self.value_prefix,
            value_contains=self.value_contains,
        )


async def search_page(
    info: Info,
    wanted: IndicatorFilter,
    *,
    first: int,
    after: str | None,
    order: IndicatorOrder,
) -> Page[VisibleIndicator]:
    """A page of the indicators the caller may list (no total): `indicators` and its
    exports read the same."""
    async with info.context.session() as session:
        return await search(
            session,
            viewer=info.context.viewer,
            reads=info.context.reads,
            wanted=wanted,
            order=order,
            first=first,
            after=after,
            with_total=False,
        )


async def resolve_indicators(
    info: Info,
    first: int = 50,
    after: str | None = None,
    filter: IndicatorFilterInput | None = None,
    order: IndicatorOrder = IndicatorOrder.LAST_SEEN_DESC,
) -> Connection[IndicatorType]:
    wanted = filter.to_domain() if filter is not None else IndicatorFilter()
    page = await search_page(info, wanted, first=first, after=after, order=order)

    async def total() -> Total:
        async with info.context.session() as session:
            return await count(session, viewer=info.context.viewer, wanted=wanted)

    return connection_from_page(page, IndicatorType.from_visible, count=total)


@strawberry.type(description="Why a submitted value could not be matched.")
class MatchValueError:
    code: ErrorCode
    field: str | None
    message: str


@strawberry.type(description="What you may learn about one submitted value.")
class MatchResult:
    match_key: str | None = strawberry.field(description="The value's normalised key.")
    members: int = strawberry.field(
        description="How many members hold this key, among records you may know of (you too)."
    )
    indicators: list[IndicatorType] = strawberry.field(
        description="The matching records you may open (never MATCH_ONLY ones)."
    )
    error: MatchValueError | None


def _submitted(
    values: list[IndicatorValueInput] | None, groups: list[IndicatorValueGroupInput] | None
) -> list[tuple[IndicatorKind, IndicatorValue]]:
    """The values of either form, in order; InvalidInput names the argument at fault."""
    if values is not None and groups is not None:
        raise InvalidInput("Give `values` or `groups`, not both.", field="groups")
    if groups is None:
        if values is None:
            raise InvalidInput("Give the values to match, in `values` or `groups`.", field="values")
        return [(v.kind, v.to_domain()) for v in values]
    # An empty group counts as one, as in the request's cost (schema/cost.py).
    matching.require_within_limit(sum(max(1, len(g.values)) for g in groups), field="groups")
    return [submitted for group in groups for submitted in group.to_domain()]


async def resolve_match(
    info: Info,
    values: list[IndicatorValueInput] | None = None,
    groups: Annotated[
        list[IndicatorValueGroupInput] | None,
        strawberry.argument(
            description=(
                "The values grouped by kind and context, one string each: cheaper to send "
                "and to read than `values`. Give one of the two."
            )
        ),
    ] = None,
) -> list[MatchResult]:
    viewer = info.context.viewer
    submitted = _submitted(values, groups)
    async with info.context.session() as session:
        outcomes = await matching.match(
            session, viewer=viewer, reads=info.context.reads, values=submitted
        )
        wanted = [i for outcome in outcomes for i in outcome.listable_ids]
        found = await indicator_reads.by_ids(session, viewer=viewer, ids=wanted)
    return [
        MatchResult(
            match_key=o.match_key,
            members=o.holders,
            indicators=[IndicatorType.from_visible(found[i]) for i in o.listable_ids if i in found],
            error=None if o.error is None else from_domain(MatchValueError, o.error),
        )
        for o in outcomes
    ]


indicators = query_field(
    resolve_indicators,
    capability=requires(Scope.INDICATORS_READ),
    description=(
        "Indicators you may list (yours, and others' shared with you at FULL or ANONYMOUS "
        "level), filtered and ordered. `first` is at most 100."
    ),
)
match = query_field(
    resolve_match,
    capability=requires(Scope.INDICATORS_READ),
    description=(
        "Exact match of up to 1,000 values by match key, one result per value in order "
        "(with `groups`: group by group, each group's values in order). MATCH_ONLY records "
        "count in `members` but are never returned."
    ),
)
