"""`indicatorsStix`: any indicator query as a STIX 2.1 bundle (alliance/stix/)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import strawberry
from strawberry.scalars import JSON

from alliance.indicators.search import IndicatorFilter
from alliance.stix import bundle
from schema.capabilities import query_field, requires
from schema.connection import PageInfo
from schema.context import Info
from schema.enums import IndicatorOrder
from schema.indicators.queries import IndicatorFilterInput, search_page
from sharing import Scope


@strawberry.type(description="A page of indicators as one STIX 2.1 bundle.")
class StixExport:
    bundle: JSON = strawberry.field(
        description=(
            "The STIX 2.1 bundle (a JSON object): per record its observable and an "
            "`indicator` (id `indicator--<record id>`, stable across exports), with the "
            "alliance's identity, the extension definitions of the `x-alliance-*` "
            "observables used, the owners' identities where named to you, the TLP markings."
        )
    )
    page_info: PageInfo


async def resolve_indicators_stix(
    info: Info,
    first: int = 50,
    after: str | None = None,
    filter: IndicatorFilterInput | None = None,
    order: IndicatorOrder = IndicatorOrder.LAST_SEEN_DESC,
) -> StixExport:
    wanted = filter.to_domain() if filter is not None else IndicatorFilter()
    page = await search_page(info, wanted, first=first, after=after, order=order)
    # About 1 ms of CPU per record (mostly the library's pattern check): off the loop.
    document: Any = await asyncio.to_thread(lambda: json.loads(bundle(page.items).serialize()))
    return StixExport(
        bundle=document,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )


indicators_stix = query_field(
    resolve_indicators_stix,
    capability=requires(Scope.INDICATORS_READ),
    description=(
        "The same list as `indicators` (same filter, order and cursors; `first` at most "
        "100), as a STIX 2.1 bundle. Page with `pageInfo.endCursor`."
    ),
)
