"""The expert directory as a list: filtered by topics, languages and regions, by pages."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.experts.models import ExpertProfile, Facet
from alliance.experts.reads import VisibleExpert, materialize, visible_select, with_facets
from alliance.experts.validation import require_languages, require_regions, require_topics
from alliance.pagination import Page, decode_cursor, encode_cursor, require_page_size
from alliance.regions.models import Region
from sharing import Viewer


@dataclasses.dataclass(frozen=True, slots=True)
class ExpertFilter:
    """Each list narrows: a profile matches when it holds one of the codes of every list
    given (any topic of `topics`, and any language of `languages`, ...)."""

    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


async def _checked(session: AsyncSession, wanted: ExpertFilter) -> ExpertFilter:
    # A code that cannot exist is an error naming the filter's field, not an empty page.
    known = set(await session.scalars(select(Region.code)))
    return ExpertFilter(
        topics=tuple(require_topics(wanted.topics, field="filter.topics")),
        languages=tuple(require_languages(wanted.languages, field="filter.languages")),
        regions=tuple(require_regions(wanted.regions, known, field="filter.regions")),
    )


def _filtered(viewer: Viewer, wanted: ExpertFilter):  # type: ignore[no-untyped-def]
    return visible_select(viewer).where(
        with_facets(Facet.TOPIC, wanted.topics),
        with_facets(Facet.LANGUAGE, wanted.languages),
        with_facets(Facet.REGION, wanted.regions),
    )


async def search(
    session: AsyncSession,
    *,
    viewer: Viewer,
    wanted: ExpertFilter,
    first: int = 50,
    after: str | None = None,
) -> Page[VisibleExpert]:
    """A page of the profiles the viewer may list that match `wanted`, in a stable order
    (keyset on the profile id); `InvalidInput` naming the field for a bad code or cursor."""
    require_page_size(first)
    wanted = await _checked(session, wanted)
    query = _filtered(viewer, wanted)
    cursor = decode_cursor(after, size=1)
    if cursor is not None:
        try:
            last = uuid.UUID(cursor[0])
        except ValueError:
            raise InvalidInput(
                "This cursor is not one the service issued.", field="after"
            ) from None
        query = query.where(ExpertProfile.id > last)
    rows = (await session.execute(query.order_by(ExpertProfile.id).limit(first + 1))).all()
    items = await materialize(session, viewer, rows[:first])
    return Page(
        items=items,
        cursors=[encode_cursor([str(item.profile.id)]) for item in items],
        has_next_page=len(rows) > first,
        total_count=-1,
    )


async def count(session: AsyncSession, *, viewer: Viewer, wanted: ExpertFilter) -> int:
    """How many profiles the viewer may list match `wanted` (the same rule as `search`)."""
    wanted = await _checked(session, wanted)
    inner = _filtered(viewer, wanted).with_only_columns(ExpertProfile.id).subquery()
    return int(await session.scalar(select(func.count()).select_from(inner)) or 0)
