"""`contactRequests`: those sent to your member, or by it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from alliance.contact_requests import service as contact_service
from alliance.experts import reads as expert_reads
from alliance.indicators import reads as indicator_reads
from schema.capabilities import query_field, requires
from schema.contact_requests.types import ContactRequestType
from schema.context import Info
from schema.experts.types import ExpertProfileType
from schema.indicators.types import IndicatorType
from sharing import Scope

T = TypeVar("T")


async def resolve_contact_requests(
    info: Info, received: bool = True, first: int = 50
) -> list[ContactRequestType]:
    viewer = info.context.viewer
    async with info.context.session() as session:
        found = await contact_service.listed(session, viewer=viewer, received=received, first=first)
        # The recipient owns the records: it lists them like any of its own.
        ids = [i for item in found if item.received and (i := item.request.indicator_id)]
        records = await indicator_reads.by_ids(session, viewer=viewer, ids=ids)
        # A profile is shown as the viewer may see it now, through the directory's reads.
        wanted = [p for item in found if (p := item.request.expert_profile_id)]
        profiles = await expert_reads.by_ids(session, viewer=viewer, ids=wanted)
    return [
        ContactRequestType.from_visible(
            item,
            _shown(records, item.request.indicator_id, IndicatorType.from_visible),
            _shown(profiles, item.request.expert_profile_id, ExpertProfileType.from_visible),
        )
        for item in found
    ]


def _shown(
    found: Mapping[uuid.UUID, Any], key: uuid.UUID | None, to_type: Callable[[Any], T]
) -> T | None:
    return None if key is None or key not in found else to_type(found[key])


contact_requests = query_field(
    resolve_contact_requests,
    capability=requires(Scope.INDICATORS_WRITE, Scope.EXPERTISE_READ),
    description=(
        "Contact requests sent to you (`received`, the default: to your member about its "
        "records, with the sender's name and your record, and to you as an expert) or by "
        "your member (`received: false`: the recipient is named only once it accepted), "
        "newest first, at most `first` (<= 100). Indicator requests need `indicators:write`, "
        "expert requests `expertise:read`."
    ),
)
