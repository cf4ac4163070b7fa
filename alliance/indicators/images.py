"""Near-duplicate product images: IMAGE_PDQ indicators within a Hamming distance.

Multi-index hashing. Each stored 256-bit hash is kept as 16 segments of 16 bits
(`ImageSegment`). If two hashes are within distance <= 31, at least one of their 16
segments differs by at most one bit (pigeonhole: 16 segments each differing by >= 2 bits
make >= 32). So the candidates of a query are the hashes that share, at some position,
the query's segment or one of its 16 one-bit neighbours: 16 * 17 = 272 exact index
lookups. Every near duplicate is among them (the lookup is complete, the same answer as
a scan); the exact distance then filters the candidates.

Candidates are read as indicators on the viewer session, so the read predicate
(`Reach.LIST`) and the domain rule (`shown`) apply in SQL: a MATCH_ONLY record is never
a candidate, exactly as it is never in `indicators`.
"""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.audit.reads import ReadLog
from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import ImageSegment, Indicator
from alliance.indicators.normalize import (
    PDQ_NEAR_DUPLICATE_DISTANCE,
    IndicatorValue,
    normalize,
)
from alliance.indicators.reads import VisibleIndicator, by_ids, shown
from sharing import Viewer

SEGMENTS = 16
SEGMENT_BITS = 16
MAX_RESULTS = 100
_MASK = (1 << SEGMENT_BITS) - 1


@dataclasses.dataclass(frozen=True, slots=True)
class SimilarImage:
    """A listable IMAGE_PDQ indicator and its distance to the query hash."""

    distance: int
    indicator: VisibleIndicator


def buckets(hash_hex: str) -> list[int]:
    """The 16 index keys of a hash (64 hex digits): position * 65536 + segment bits."""
    bits = int(hash_hex, 16)
    return [
        position << SEGMENT_BITS | (bits >> (SEGMENT_BITS * (SEGMENTS - 1 - position))) & _MASK
        for position in range(SEGMENTS)
    ]


def probe_buckets(hash_hex: str) -> list[int]:
    """Every key a hash within distance 31 of `hash_hex` has at least one of."""
    probes = []
    for key in buckets(hash_hex):
        probes.append(key)
        probes.extend(key ^ (1 << bit) for bit in range(SEGMENT_BITS))
    return probes


async def write_segments(session: AsyncSession, indicator: Indicator) -> None:
    """Store (or replace) the segments of an IMAGE_PDQ indicator; other kinds have none.

    Called by every write that sets an indicator's value. Retraction keeps them: the
    owner still lists its retracted records, and `shown` hides them from the others.
    """
    if indicator.kind is not IndicatorKind.IMAGE_PDQ:
        return
    await session.execute(delete(ImageSegment).where(ImageSegment.indicator_id == indicator.id))
    await session.execute(
        insert(ImageSegment),
        [{"indicator_id": indicator.id, "bucket": key} for key in buckets(indicator.match_key)],
    )


def _require_query(pdq: str, quality: int, max_distance: int, first: int) -> str:
    if not 0 <= max_distance <= PDQ_NEAR_DUPLICATE_DISTANCE:
        raise InvalidInput(
            f"`maxDistance` is from 0 to {PDQ_NEAR_DUPLICATE_DISTANCE}.", field="maxDistance"
        )
    if not 0 <= first <= MAX_RESULTS:
        raise InvalidInput(f"`first` must be between 0 and {MAX_RESULTS}.", field="first")
    try:
        normalized = normalize(IndicatorKind.IMAGE_PDQ, IndicatorValue(value=pdq, quality=quality))
    except InvalidInput as invalid:
        field = "pdq" if invalid.field == "value" else invalid.field
        raise InvalidInput(invalid.message, field=field) from None
    return normalized.match_key


async def near_duplicates(
    session: AsyncSession, *, viewer: Viewer, hash_hex: str, max_distance: int
) -> list[tuple[int, uuid.UUID]]:
    """(distance, id) of every IMAGE_PDQ indicator the viewer may list within
    `max_distance` (<= 31) of `hash_hex`, nearest first (ties by id)."""
    candidates = (
        select(ImageSegment.indicator_id)
        .where(ImageSegment.bucket.in_(probe_buckets(hash_hex)))
        .distinct()
    )
    # Only IMAGE_PDQ indicators have segments; a `kind` condition here would tempt SQLite
    # into scanning every image by the kind index instead of probing the candidates.
    rows = await session.execute(
        select(Indicator.id, Indicator.match_key).where(Indicator.id.in_(candidates), shown(viewer))
    )
    query = int(hash_hex, 16)
    found = [((query ^ int(key, 16)).bit_count(), record_id) for record_id, key in rows]
    return sorted((d, record_id) for d, record_id in found if d <= max_distance)


async def similar_images(
    session: AsyncSession,
    *,
    viewer: Viewer,
    reads: ReadLog,
    pdq: str,
    quality: int,
    max_distance: int = PDQ_NEAR_DUPLICATE_DISTANCE,
    first: int = 20,
) -> list[SimilarImage]:
    """The `first` nearest IMAGE_PDQ indicators the viewer may list, within
    `max_distance` of the query hash, nearest first.

    Refused (`InvalidInput` naming the field) when the hash is malformed (`pdq`), its
    quality is below 50 (`quality`), or `maxDistance` / `first` is out of range.
    """
    hash_hex = _require_query(pdq, quality, max_distance, first)
    nearest = (
        await near_duplicates(session, viewer=viewer, hash_hex=hash_hex, max_distance=max_distance)
    )[:first]
    shown_by_id = await by_ids(session, viewer=viewer, ids=[record_id for _, record_id in nearest])
    results = [
        SimilarImage(distance, shown_by_id[record_id])
        for distance, record_id in nearest
        if record_id in shown_by_id
    ]
    reads.note("similarImages", "Indicator", (r.indicator.indicator.id for r in results))
    return results
