"""`contactRequests`: those sent to your member, or by it."""

from __future__ import annotations

from alliance.contact_requests import service as contact_service
from alliance.indicators import reads as indicator_reads
from schema.capabilities import query_field, requires
from schema.contact_requests.types import ContactRequestType
from schema.context import Info
from schema.indicators.types import IndicatorType
from sharing import Scope


async def resolve_contact_requests(
    info: Info, received: bool = True, first: int = 50
) -> list[ContactRequestType]:
    viewer = info.context.viewer
    async with info.context.session() as session:
        found = await contact_service.listed(session, viewer=viewer, received=received, first=first)
        # The recipient owns the records: it lists them like any of its own.
        ids = [item.request.indicator_id for item in found if item.received]
        records = await indicator_reads.by_ids(session, viewer=viewer, ids=ids)
    return [
        ContactRequestType.from_visible(
            item,
            IndicatorType.from_visible(records[item.request.indicator_id])
            if item.request.indicator_id in records
            else None,
        )
        for item in found
    ]


contact_requests = query_field(
    resolve_contact_requests,
    capability=requires(Scope.INDICATORS_WRITE),
    description=(
        "Contact requests sent to your member (`received`, the default: with the sender's "
        "name and your record) or by it (`received: false`: the owner is named only once "
        "it accepted), newest first, at most `first` (<= 100)."
    ),
)
