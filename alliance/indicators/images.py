"""Near-duplicate product images: IMAGE_PDQ indicators within a Hamming distance.

Multi-index hashing. Each stored 256-bit hash is kept as 16 segments of 16 bits
(`ImageSegment`). If two hashes are within distance <= 31, at least one of their 16
segments differs by at most one bit (pigeonhole: 16 segments each differing by >= 2 bits
make >= 32). So the candidates of a query are the hashes that share, at some position,
the query's segment or one of its 16 one-bit neighbours: 16 * 17 = 272 exact index
lookups, in one statement. Every near duplicate is among them (the lookup is complete,
the same answer as a scan).

Exact distance first, visibility second (docs/sharing.md): each segment row carries its
whole hash, so the candidates' distances come from the index alone, without reading any
indicator; only the few within the distance are then read as indicators on the viewer
session (`reads.by_ids`: the read predicate `Reach.LIST` and the domain rule `shown`, in
SQL), and `first` is applied to what that returns. A MATCH_ONLY record is never a result,
exactly as it is never in `indicators`, and a record the viewer may not list takes no
place among the results: the answer is the one it would get if the record did not exist.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from sqlalchemy import ARRAY, Integer, any_, bindparam, delete, insert, select
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
from alliance.indicators.reads import VisibleIndicator, by_ids
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


def segment_rows(indicator_id: uuid.UUID, hash_hex: str) -> list[dict[str, Any]]:
    """The 16 `ImageSegment` rows of an IMAGE_PDQ indicator whose hash (its match key) is
    `hash_hex`: every writer of segments (the service, bulk) writes these."""
    whole = bytes.fromhex(hash_hex)
    return [
        {"indicator_id": indicator_id, "bucket": key, "hash": whole} for key in buckets(hash_hex)
    ]


async def write_segments(session: AsyncSession, indicator: Indicator) -> None:
    """Store (or replace) the segments of an IMAGE_PDQ indicator; other kinds have none.

    Called by every write that sets an indicator's value. Retraction keeps them: the
    owner still lists its retracted records, and `shown` hides them from the others.
    """
    if indicator.kind is not IndicatorKind.IMAGE_PDQ:
        return
    await session.execute(delete(ImageSegment).where(ImageSegment.indicator_id == indicator.id))
    await session.execute(insert(ImageSegment), segment_rows(indicator.id, indicator.match_key))


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
    session: AsyncSession, *, hash_hex: str, max_distance: int
) -> list[tuple[int, uuid.UUID]]:
    """(distance, id) of every IMAGE_PDQ indicator stored within `max_distance` (<= 31) of
    `hash_hex`, nearest first (ties by id), whoever may see it: never hand these out, ask
    the viewer session which of them the viewer may list (`similar_images` does).

    One statement on the segment index (the 272 probed buckets; `ImageSegment` is not
    shareable: there is nothing for the viewer session to filter); the distances are
    computed here from the hashes the index holds.
    """
    probes = probe_buckets(hash_hex)
    # Core rows on the session's connection: thousands of candidates at 1M hashes, and the
    # ORM's row loading cost more than the index scan.
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # One array parameter: rendering 272 bound parameters into the statement text
        # cost more than the index lookup.
        probed = ImageSegment.bucket == any_(bindparam("probes", probes, type_=ARRAY(Integer)))
    else:
        probed = ImageSegment.bucket.in_(probes)
    rows = await connection.execute(
        select(ImageSegment.indicator_id, ImageSegment.hash).where(probed)
    )
    query = int(hash_hex, 16)
    distances = {
        record_id: (query ^ int.from_bytes(whole)).bit_count() for record_id, whole in rows
    }
    return sorted((d, record_id) for record_id, d in distances.items() if d <= max_distance)


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
    `max_distance` of the query hash, nearest first (ties by id).

    Refused (`InvalidInput` naming the field) when the hash is malformed (`pdq`), its
    quality is below 50 (`quality`), or `maxDistance` / `first` is out of range.
    """
    hash_hex = _require_query(pdq, quality, max_distance, first)
    nearest = await near_duplicates(session, hash_hex=hash_hex, max_distance=max_distance)
    results: list[SimilarImage] = []
    # Nearest first, a slice at a time, until `first` are listable: one statement unless
    # many near duplicates are not the viewer's to see.
    for start in range(0, len(nearest) if first else 0, MAX_RESULTS):
        chunk = nearest[start : start + MAX_RESULTS]
        shown_by_id = await by_ids(session, viewer=viewer, ids=[rid for _, rid in chunk])
        results += [SimilarImage(d, shown_by_id[rid]) for d, rid in chunk if rid in shown_by_id]
        if len(results) >= first:
            break
    results = results[:first]
    reads.note("similarImages", "Indicator", (r.indicator.indicator.id for r in results))
    return results
