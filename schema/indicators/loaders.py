"""Per-request DataLoaders of the indicator graph; each batch opens its own viewer session,
so a page costs a constant number of statements whatever its size."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from alliance.indicators import links as link_service
from alliance.indicators import matching
from alliance.indicators import reads as indicator_reads
from alliance.indicators import sightings as sighting_service
from alliance.indicators.models import Link
from alliance.indicators.reads import VisibleIndicator
from alliance.indicators.sightings import VisibleSighting
from schema.context import Context


def indicators_by_id_loader(context: Context) -> DataLoader[uuid.UUID, VisibleIndicator | None]:
    """Indicators the viewer may list, by id (None where missing or invisible)."""

    async def load(ids: Sequence[uuid.UUID]) -> list[VisibleIndicator | None]:
        async with context.session() as session:
            found = await indicator_reads.by_ids(session, viewer=context.viewer, ids=ids)
        context.reads.note("nested", "Indicator", found)
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def sightings_by_indicator_loader(
    context: Context,
) -> DataLoader[uuid.UUID, list[VisibleSighting]]:
    """Each listable indicator's sightings."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[VisibleSighting]]:
        async with context.session() as session:
            found = await sighting_service.of_indicators(
                session, viewer=context.viewer, indicator_ids=ids
            )
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)


def links_by_indicator_loader(context: Context) -> DataLoader[uuid.UUID, list[Link]]:
    """Each listable indicator's links whose other end is listable too."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[Link]]:
        async with context.session() as session:
            found = await link_service.of_indicators(
                session, viewer=context.viewer, indicator_ids=ids
            )
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)


CorroborationKey = tuple[uuid.UUID, matching.MatchKey]


def corroboration_by_indicator_loader(
    context: Context,
) -> DataLoader[CorroborationKey, matching.Corroboration | None]:
    """The corroboration of indicators read for this viewer, by (id, (kind, match key)):
    the key comes with the record, so it is not read again."""

    async def load(keys: Sequence[CorroborationKey]) -> list[matching.Corroboration | None]:
        async with context.session() as session:
            found = await matching.corroboration(session, viewer=context.viewer, records=dict(keys))
        return [found.get(record_id) for record_id, _ in keys]

    return DataLoader(load_fn=load)
