"""Exact match by match key, and corroboration ("seen by N members").

Both count *members holding the same match key* among the records the viewer sees at
any level, MATCH_ONLY included, plus its own: a MATCH_ONLY grant exists to tell a holder
of the value how many members hold it, and whoever sees a record at FULL or ANONYMOUS
knows its value and could ask `match` the same question. Records outside the viewer's
audience, and others' records that are not ACTIVE, are never counted
(docs/sharing.md, "Counts").
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit.reads import ReadLog
from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator, Sighting
from alliance.indicators.normalize import IndicatorValue, normalize
from alliance.indicators.reads import shown
from alliance.indicators.sightings import shown_sightings
from alliance.indicators.vocabulary import SightingKind
from sharing import Viewer
from sharing.policy import ViewerFacts
from sharing.predicate import Reach, visible_to
from sharing.session import REACH_OPTION
from sharing.sql_lists import one_of

MAX_MATCH_VALUES = 1000
MatchKey = tuple[IndicatorKind, str]


@dataclasses.dataclass(frozen=True, slots=True)
class MatchOutcome:
    """What the viewer learns about one submitted value.

    `holders`: distinct members holding it (as the module docstring counts them);
    `listable_ids`: the matching records it may open; `error`: why the value is invalid.
    """

    match_key: str | None
    holders: int
    listable_ids: tuple[uuid.UUID, ...]
    error: InvalidInput | None = None


def _keys_condition(keys: set[MatchKey]) -> ColumnElement[bool]:
    # One (kind, match keys) range per kind: the (kind, match_key) index is probed once
    # per key, where `kind IN (...) AND match_key IN (...)` probed kinds x keys.
    by_kind: dict[IndicatorKind, set[str]] = defaultdict(set)
    for kind, key in keys:
        by_kind[kind].add(key)
    return or_(
        *(
            and_(Indicator.kind == kind, one_of(Indicator.match_key, sorted(values)))
            for kind, values in sorted(by_kind.items())
        )
    )


async def _matching_rows(
    session: AsyncSession, viewer: Viewer, keys: set[MatchKey]
) -> dict[MatchKey, list[tuple[uuid.UUID, uuid.UUID, bool]]]:
    found: dict[MatchKey, list[tuple[uuid.UUID, uuid.UUID, bool]]] = defaultdict(list)
    if not keys:
        return found
    listable = visible_to(Indicator, ViewerFacts.of(viewer), Reach.LIST)
    query = (
        select(
            Indicator.id,
            Indicator.kind,
            Indicator.match_key,
            Indicator.owner_member_id,
            listable.label("listable"),
        )
        .where(_keys_condition(keys), shown(viewer))
        .execution_options(**{REACH_OPTION: Reach.MATCH.value})
    )
    for row in await session.execute(query):
        if (row.kind, row.match_key) in keys:
            found[(row.kind, row.match_key)].append((row.id, row.owner_member_id, row.listable))
    return found


def require_within_limit(submitted: int, *, field: str) -> None:
    """Raise InvalidInput naming `field` when more than MAX_MATCH_VALUES are submitted."""
    if submitted > MAX_MATCH_VALUES:
        raise InvalidInput(f"At most {MAX_MATCH_VALUES} values at once.", field=field)


async def match(
    session: AsyncSession,
    *,
    viewer: Viewer,
    reads: ReadLog,
    values: Sequence[tuple[IndicatorKind, IndicatorValue]],
) -> list[MatchOutcome]:
    """One outcome per submitted value, in order; invalid values get their error."""
    require_within_limit(len(values), field="values")
    keys: list[MatchKey | InvalidInput] = []
    for kind, value in values:
        try:
            keys.append((kind, normalize(kind, value).match_key))
        except InvalidInput as invalid:
            keys.append(invalid)
    rows = await _matching_rows(session, viewer, {k for k in keys if isinstance(k, tuple)})
    outcomes = []
    noted: list[uuid.UUID] = []
    for key in keys:
        if isinstance(key, InvalidInput):
            outcomes.append(MatchOutcome(None, 0, (), key))
            continue
        hits = rows.get(key, [])
        noted.extend(record_id for record_id, _, _ in hits)
        outcomes.append(
            MatchOutcome(
                match_key=key[1],
                holders=len({owner for _, owner, _ in hits}),
                listable_ids=tuple(record_id for record_id, _, ok in hits if ok),
            )
        )
    reads.note("match", "Indicator", noted)
    return outcomes


@dataclasses.dataclass(frozen=True, slots=True)
class Corroboration:
    """How many members hold the indicator's match key, and its sightings by kind."""

    holders: int
    sightings: dict[SightingKind, int]


async def corroboration(
    session: AsyncSession, *, viewer: Viewer, records: Mapping[uuid.UUID, MatchKey]
) -> dict[uuid.UUID, Corroboration]:
    """Corroboration of each of `records` (id: its kind and match key), which the caller
    read through the viewer's session (two statements)."""
    own_keys = dict(records)
    if not own_keys:
        return {}
    hits = await _matching_rows(session, viewer, set(own_keys.values()))
    counted = await session.execute(
        select(Sighting.indicator_id, Sighting.kind, func.count())
        .join(Indicator, Indicator.id == Sighting.indicator_id)
        .where(one_of(Sighting.indicator_id, own_keys), shown_sightings(viewer))
        .group_by(Sighting.indicator_id, Sighting.kind)
    )
    sightings: dict[uuid.UUID, Counter[SightingKind]] = defaultdict(Counter)
    for indicator_id, kind, count in counted:
        sightings[indicator_id][kind] = count
    return {
        rid: Corroboration(
            holders=len({owner for _, owner, _ in hits.get(key, [])}),
            sightings=dict(sightings[rid]),
        )
        for rid, key in own_keys.items()
    }
