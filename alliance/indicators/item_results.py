"""The answer of a bulk call for each of its items, in the order they were sent."""

from __future__ import annotations

import dataclasses
import uuid

from alliance.errors import AllianceError
from alliance.indicators.vocabulary import RetractStatus, UpsertStatus


@dataclasses.dataclass(frozen=True, slots=True)
class ItemResult:
    """One item's outcome: `index` is its position in the call (from 0); `id` the record
    it wrote or found (the caller's own, never another member's); `error` why it was
    rejected, its `field` relative to the item (e.g. `brandIds`)."""

    index: int
    status: UpsertStatus | RetractStatus
    id: uuid.UUID | None = None
    external_id: str | None = None
    error: AllianceError | None = None
