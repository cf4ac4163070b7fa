"""The rules of writing indicators, sightings and links, each written once.

The one-by-one services (`service`, `sightings`, `links`) and the bulk paths (`bulk`,
`upsert`, `retraction`) call these and nothing else for what they share: who may write,
which records may still change, own brands only, note and seen-time limits, how an
update's fields are checked. A rule that two paths wrote separately drifted before (bulk
retraction took an expired record the single path refused); keep new ones here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from alliance.access import require_scope
from alliance.errors import Forbidden, IllegalTransition, InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.vocabulary import IndicatorStatus
from alliance.retention.settings import RetentionSettings
from sharing import Scope, Viewer

if TYPE_CHECKING:
    from alliance.indicators.drafts import IndicatorChanges

MAX_NOTE = 2000
MAX_EXTERNAL_ID = 200
# A bulk call (upsert or retraction) takes at most this many items (DESIGN §4).
MAX_BATCH = 5000
# Scopes that allow bulk writes: `sync` for member systems, or the ordinary write right.
BULK_WRITE_SCOPES = (Scope.SYNC, Scope.INDICATORS_WRITE)
# The columns `changed_fields` reads of a record.
CHANGEABLE = (
    "confidence", "evidence_level", "jurisdiction", "purpose", "first_seen", "last_seen",
    "expires_at",
)  # fmt: skip


def require_writer(viewer: Viewer) -> uuid.UUID:
    """The viewer's member, if it may write indicators; else `Forbidden`."""
    require_scope(viewer, Scope.INDICATORS_WRITE)
    return require_writing_member(viewer)


def require_bulk_writer(viewer: Viewer) -> uuid.UUID:
    """The viewer's member, if it may write indicators in bulk (`sync` or
    `indicators:write`); else `Forbidden`."""
    if not any(viewer.has_scope(scope) for scope in BULK_WRITE_SCOPES):
        raise Forbidden("This operation needs the `sync` or `indicators:write` right.")
    return require_writing_member(viewer)


def require_writing_member(viewer: Viewer) -> uuid.UUID:
    """The viewer's member if it is active and agreed (whatever the scope asked)."""
    if viewer.member_id is None or not viewer.can_read_shared:
        raise Forbidden("Only an active member that accepted the agreement writes indicators.")
    return viewer.member_id


def require_batch_size(count: int, field: str) -> None:
    """`InvalidInput` naming `field` when a bulk call holds more than `MAX_BATCH` items."""
    if count > MAX_BATCH:
        raise InvalidInput(
            f"A call takes at most {MAX_BATCH} items ({count} given); nothing was written.",
            field=field,
        )


def aware(moment: dt.datetime) -> dt.datetime:
    """`moment` with its UTC offset (SQLite hands stored times back without it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def is_expired(status: IndicatorStatus, expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a record has expired at `now` (whether or not the job marked it yet)."""
    if status is IndicatorStatus.EXPIRED:
        return True
    return expires_at is not None and aware(expires_at) <= now


def is_live(status: IndicatorStatus, expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a record may still be changed or retracted: active and not expired."""
    return status is IndicatorStatus.ACTIVE and not is_expired(status, expires_at, now)


def require_live(
    status: IndicatorStatus,
    expires_at: dt.datetime | None,
    now: dt.datetime,
    *,
    what: str,
    field: str | None = "id",
) -> None:
    """`IllegalTransition` unless the record is live (`is_live`); `what` it would be."""
    if not is_live(status, expires_at, now):
        raise IllegalTransition(f"Only an active indicator can be {what}.", field=field)


def require_confidence(confidence: int) -> int:
    """`confidence` if it is 0-100, else `InvalidInput` naming it."""
    if not 0 <= confidence <= 100:
        raise InvalidInput("Confidence is a whole number from 0 to 100.", field="confidence")
    return confidence


def require_jurisdiction(code: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code in upper case, or None."""
    if code is None:
        return None
    cleaned = code.strip().upper()
    if len(cleaned) != 2 or not cleaned.isalpha() or not cleaned.isascii():
        raise InvalidInput("A jurisdiction is a two-letter country code.", field="jurisdiction")
    return cleaned


def require_aware(moment: dt.datetime | None, field: str) -> dt.datetime | None:
    """`moment` if it carries a time zone (every time is stored in UTC)."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput("Times need a time zone offset, e.g. Z.", field=field)
    return moment


def require_seen_order(first_seen: dt.datetime, last_seen: dt.datetime) -> None:
    """`InvalidInput` on `lastSeen` when it lies before `first_seen`."""
    if aware(last_seen) < aware(first_seen):
        raise InvalidInput("Last seen cannot be before first seen.", field="lastSeen")


def require_external_id(text: str) -> str:
    """The owner's external id as stored (surrounding spaces dropped): 1-200 characters."""
    external_id = text.strip()
    if not 1 <= len(external_id) <= MAX_EXTERNAL_ID:
        raise InvalidInput(
            f"An external id has 1 to {MAX_EXTERNAL_ID} characters.", field="externalId"
        )
    return external_id


def require_note(note: str | None) -> str | None:
    """A sighting's or link's note, if it has at most `MAX_NOTE` characters."""
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput(f"A note has at most {MAX_NOTE} characters.", field="note")
    return note


def require_own_brands(wanted: Iterable[uuid.UUID], owned: Iterable[uuid.UUID]) -> None:
    """`InvalidInput` on `brandIds` unless every brand of `wanted` is in `owned` (the
    writer's own): another member's brand gets the same answer as a missing one."""
    if not set(wanted) <= set(owned):
        raise InvalidInput("Brands must be brands of your own member.", field="brandIds")


def require_not_self_link(source_id: uuid.UUID, target_id: uuid.UUID) -> None:
    """`InvalidInput` on `targetId` for a link from an indicator to itself."""
    if source_id == target_id:
        raise InvalidInput("An indicator cannot be linked to itself.", field="targetId")


def changed_fields(
    current: Mapping[str, Any],
    changes: IndicatorChanges,
    *,
    kind: IndicatorKind,
    retention: RetentionSettings,
    now: dt.datetime,
) -> dict[str, Any]:
    """The columns an update (`IndicatorChanges`) gives a new value, checked: what
    differs from `current` (the record's columns by name; `first_seen` is read).

    None in `changes` keeps a field. Brands are checked apart (`require_own_brands`).
    """
    wanted: dict[str, Any] = {}
    if changes.confidence is not None:
        wanted["confidence"] = require_confidence(changes.confidence)
    if changes.evidence_level is not None:
        wanted["evidence_level"] = changes.evidence_level
    if changes.jurisdiction is not None:
        wanted["jurisdiction"] = require_jurisdiction(changes.jurisdiction)
    if changes.purpose is not None:
        wanted["purpose"] = changes.purpose
    last_seen = require_aware(changes.last_seen, "lastSeen")
    if last_seen is not None:
        require_seen_order(current["first_seen"], last_seen)
        wanted["last_seen"] = last_seen
    if changes.expires_at is not None:
        wanted["expires_at"] = retention.expiry_for(kind, changes.expires_at, now)
    return {name: value for name, value in wanted.items() if not same_value(current[name], value)}


def same_value(stored: Any, wanted: Any) -> bool:
    """Whether a stored column value equals a written one (times compared in UTC)."""
    if isinstance(stored, dt.datetime) and isinstance(wanted, dt.datetime):
        return aware(stored) == aware(wanted)
    return bool(stored == wanted)
