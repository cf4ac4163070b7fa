"""The indicator list: filters, orderings, keyset pages and the count, for one viewer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    select,
    tablesample,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from alliance.audit.reads import ReadLog
from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.models import Indicator
from alliance.indicators.reads import (
    VisibleIndicator,
    brand_filter,
    effective_status,
    materialize,
    owner_in_region,
    shown,
    visible_select,
)
from alliance.indicators.value_search import MIN_LENGTH, value_contains
from alliance.indicators.vocabulary import IndicatorOrder, IndicatorStatus
from alliance.members.models import Member
from alliance.pagination import Page, Total, decode_cursor, encode_cursor, require_page_size
from alliance.regions.models import Region
from sharing import Viewer
from sharing.audience import AllianceRegions
from sharing.errors import InvalidSharingInput


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorFilter:
    """Every field narrows the list; None (or empty) leaves it open."""

    kinds: tuple[IndicatorKind, ...] = ()
    platform: Platform | None = None
    brand_id: uuid.UUID | None = None
    owner_region: str | None = None
    status: IndicatorStatus | None = None
    min_confidence: int | None = None
    max_confidence: int | None = None
    seen_after: dt.datetime | None = None
    seen_before: dt.datetime | None = None
    value_prefix: str | None = None
    value_contains: str | None = None


# totalCount is exact up to this many (a count reads at most COUNT_CAP + 1 rows); beyond,
# an estimate from a sample of about SAMPLE_ROWS rows of the table (random pages).
COUNT_CAP = 1_000
SAMPLE_ROWS = 2_000
# The sampled table, made once (an alias of a mapped class costs milliseconds to build);
# the share of pages sampled is a parameter of each count.
_SAMPLE_PERCENT = "sample_percent"
_SAMPLED = aliased(Indicator, tablesample(Indicator, func.system(bindparam(_SAMPLE_PERCENT))))

_ORDER_COLUMNS: dict[IndicatorOrder, tuple[Any, bool]] = {
    IndicatorOrder.LAST_SEEN_DESC: (Indicator.last_seen, True),
    IndicatorOrder.FIRST_SEEN_DESC: (Indicator.first_seen, True),
    IndicatorOrder.CONFIDENCE_DESC: (Indicator.confidence, True),
    IndicatorOrder.VALUE_ASC: (Indicator.value, False),
}


def _conditions(
    viewer: Viewer, wanted: IndicatorFilter, entity: Any = Indicator
) -> list[ColumnElement[bool]]:
    # (value asked for, condition it becomes); None leaves the list open.
    candidates: list[tuple[Any, Callable[[Any], ColumnElement[bool]]]] = [
        (wanted.kinds or None, entity.kind.in_),
        (wanted.platform, lambda v: entity.platform == v.value),
        (wanted.brand_id, lambda v: brand_filter(viewer, v, entity)),
        (wanted.owner_region, lambda v: owner_in_region(v, entity)),
        (wanted.status, lambda v: effective_status(entity=entity) == v.value),
        (wanted.min_confidence, lambda v: entity.confidence >= v),
        (wanted.max_confidence, lambda v: entity.confidence <= v),
        (wanted.seen_after, lambda v: entity.last_seen >= v),
        (wanted.seen_before, lambda v: entity.first_seen <= v),
        (wanted.value_prefix or None, lambda v: _starts_with(entity.value, v)),
        (wanted.value_contains, lambda v: value_contains(entity.value, v)),
    ]
    return [condition(value) for value, condition in candidates if value is not None]


def _starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    # A range, not LIKE: the value index (code point order on both engines) serves it,
    # and it is case-sensitive on both (SQLite's LIKE is not).
    following = ord(prefix[-1]) + 1
    if following > sys.maxunicode:
        return column.startswith(prefix, autoescape=True)  # type: ignore[no-any-return]
    if 0xD800 <= following <= 0xDFFF:  # surrogates are never in a stored value
        following = 0xE000
    return and_(column >= prefix, column < prefix[:-1] + chr(following))


def _cursor_value(order: IndicatorOrder, text: str) -> Any:
    try:
        if order in {IndicatorOrder.LAST_SEEN_DESC, IndicatorOrder.FIRST_SEEN_DESC}:
            return dt.datetime.fromisoformat(text)
        if order is IndicatorOrder.CONFIDENCE_DESC:
            return int(text)
    except ValueError:
        raise InvalidInput("This cursor is not one the service issued.", field="after") from None
    return text


def _after(query: Select[Any], order: IndicatorOrder, cursor: str | None) -> Select[Any]:
    key = decode_cursor(cursor, size=2)
    if key is None:
        return query
    column, descending = _ORDER_COLUMNS[order]
    try:
        last_id = uuid.UUID(key[1])
    except ValueError:
        raise InvalidInput("This cursor is not one the service issued.", field="after") from None
    mark = tuple_(column, Indicator.id)
    bound = tuple_(_cursor_value(order, key[0]), last_id)
    return query.where(mark < bound if descending else mark > bound)


def _cursor(order: IndicatorOrder, item: VisibleIndicator) -> str:
    column, _ = _ORDER_COLUMNS[order]
    value = getattr(item.indicator, column.key)
    text = value.isoformat() if isinstance(value, dt.datetime) else str(value)
    return encode_cursor([text, str(item.indicator.id)])


async def _known_region(session: AsyncSession, code: str) -> str:
    # A code no region has would silently match nothing: name the regions instead.
    regions = AllianceRegions(frozenset(await session.scalars(select(Region.code))))
    try:
        return regions.require_region(code, "ownerRegion")
    except InvalidSharingInput as invalid:
        raise InvalidInput(invalid.message, field=invalid.field) from None


async def _checked(session: AsyncSession, wanted: IndicatorFilter) -> IndicatorFilter:
    if wanted.value_contains is not None and len(wanted.value_contains) < MIN_LENGTH:
        message = f"valueContains needs at least {MIN_LENGTH} characters."
        raise InvalidInput(message, field="valueContains")
    if wanted.owner_region is None:
        return wanted
    region = await _known_region(session, wanted.owner_region)
    return dataclasses.replace(wanted, owner_region=region)


async def search(
    session: AsyncSession,
    *,
    viewer: Viewer,
    reads: ReadLog,
    wanted: IndicatorFilter,
    order: IndicatorOrder = IndicatorOrder.LAST_SEEN_DESC,
    first: int = 50,
    after: str | None = None,
    with_total: bool = True,
) -> Page[VisibleIndicator]:
    """A page of the indicators the viewer may list, and how many there are in all (0
    without `with_total`: a caller that may not need it calls `count` when it does).
    """
    require_page_size(first)
    conditions = _conditions(viewer, await _checked(session, wanted))
    column, descending = _ORDER_COLUMNS[order]
    ordering = (column.desc(), Indicator.id.desc()) if descending else (column, Indicator.id)
    query = _after(visible_select(viewer).where(*conditions), order, after)
    rows = (await session.execute(query.order_by(*ordering).limit(first + 1))).all()
    items = await materialize(session, viewer, rows[:first])
    reads.note("indicators", "Indicator", (i.indicator.id for i in items))
    return Page(
        items=items,
        cursors=[_cursor(order, item) for item in items],
        has_next_page=len(rows) > first,
        total_count=(await count(session, viewer=viewer, wanted=wanted)).value if with_total else 0,
    )


async def count(
    session: AsyncSession, *, viewer: Viewer, wanted: IndicatorFilter, cap: int = COUNT_CAP
) -> Total:
    """How many indicators the viewer may list under `wanted`: the same filtered rows as
    `search`, so a count never includes a record the viewer could not list.

    Exact up to `cap` (reading at most `cap` + 1 rows); beyond it, on PostgreSQL, an
    estimate from the visible rows of a random sample of the table's pages, never below
    `cap` + 1 (docs/performance.md). SQLite, the small embedded engine,
    always counts exactly.
    """
    wanted = await _checked(session, wanted)
    conditions = _conditions(viewer, wanted)
    if session.get_bind().dialect.name != "postgresql":
        return Total(await _count_rows(session, viewer, Indicator, conditions))
    capped = await _count_rows(session, viewer, Indicator, conditions, limit=cap + 1)
    if capped <= cap:
        return Total(capped)
    return Total(max(await _estimate(session, viewer, wanted), cap + 1), exact=False)


async def _count_rows(
    session: AsyncSession,
    viewer: Viewer,
    source: Any,
    conditions: list[ColumnElement[bool]],
    *,
    limit: int | None = None,
    params: dict[str, Any] | None = None,
) -> int:
    rows = (
        select(source.id)
        .join(Member, Member.id == source.owner_member_id)
        .where(shown(viewer, source), *conditions)
        .limit(limit)
    )
    counted = select(func.count()).select_from(rows.subquery())
    return int(await session.scalar(counted, params) or 0)


async def _estimate(session: AsyncSession, viewer: Viewer, wanted: IndicatorFilter) -> int:
    # The visible rows among a random sample of pages, scaled up by the sampled share:
    # built from rows the viewer may list only, so it says nothing of others' records.
    table_rows = await session.scalar(
        text("SELECT reltuples FROM pg_class WHERE oid = 'indicators'::regclass")
    )
    percent = min(100.0, max(0.01, 100.0 * SAMPLE_ROWS / max(float(table_rows or 0), 1.0)))
    conditions = _conditions(viewer, wanted, _SAMPLED)
    sampled = await _count_rows(
        session, viewer, _SAMPLED, conditions, params={_SAMPLE_PERCENT: percent}
    )
    return round(sampled * 100.0 / percent)
