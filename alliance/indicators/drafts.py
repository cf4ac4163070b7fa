"""What a write asks for: an indicator draft, validated into model fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import uuid
from typing import Any

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.normalize import IndicatorValue, Normalized, normalize
from alliance.indicators.rules import (
    require_aware,
    require_confidence,
    require_external_id,
    require_jurisdiction,
    require_seen_order,
)
from alliance.indicators.vocabulary import EvidenceLevel, Purpose
from sharing.audience import Audience, Tlp, parse_audience
from sharing.errors import InvalidSharingInput


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorDraft:
    """A new indicator as its owner sends it. `audience` None: the policy's default."""

    kind: IndicatorKind
    value: IndicatorValue
    brand_ids: tuple[uuid.UUID, ...] = ()
    confidence: int = 50
    evidence_level: EvidenceLevel = EvidenceLevel.OBSERVED
    jurisdiction: str | None = None
    purpose: Purpose = Purpose.MONITORING
    tlp: Tlp = Tlp.AMBER
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    external_id: str | None = None
    audience: Audience | None = None
    personal_data_region: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorChanges:
    """Fields of an update; None keeps a field as it is."""

    confidence: int | None = None
    evidence_level: EvidenceLevel | None = None
    jurisdiction: str | None = None
    purpose: Purpose | None = None
    last_seen: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    brand_ids: tuple[uuid.UUID, ...] | None = None


def region_code(code: str | None) -> str | None:
    """A region code as stored: upper case, None for blank (whether the region exists is
    checked with the audience)."""
    return None if code is None or not code.strip() else code.strip().upper()


def draft_fields(
    draft: IndicatorDraft, now: dt.datetime, normalized: Normalized | None = None
) -> tuple[Normalized, dict[str, Any]]:
    """The normalised value and the model fields of a draft; `InvalidInput` names the
    field. `normalized`: the draft's value normalised already, if the caller did."""
    normalized = normalized or normalize(draft.kind, draft.value)
    first_seen = require_aware(draft.first_seen, "firstSeen") or now
    last_seen = require_aware(draft.last_seen, "lastSeen") or first_seen
    require_seen_order(first_seen, last_seen)
    external_id = None if draft.external_id is None else require_external_id(draft.external_id)
    platform: Platform | None = draft.value.platform or draft.value.provider
    fields = {
        "kind": draft.kind,
        "match_key": normalized.match_key,
        "value": normalized.display,
        "extra": dict(normalized.extra),
        "platform": None if platform is None else platform.value,
        "confidence": require_confidence(draft.confidence),
        "evidence_level": draft.evidence_level,
        "jurisdiction": require_jurisdiction(draft.jurisdiction),
        "purpose": draft.purpose,
        "tlp": draft.tlp,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "expires_at": require_aware(draft.expires_at, "expiresAt"),
        "external_id": external_id,
        "personal_data_region": region_code(draft.personal_data_region),
    }
    return normalized, fields


@functools.lru_cache(maxsize=1024)
def parse_requested_audience(text: str | None) -> Audience | None:
    """The audience a write asks for, in text form; None means "my policy's default".
    Cached (an Audience is immutable): the items of a bulk call repeat a few audiences."""
    if text is None:
        return None
    try:
        return parse_audience(text)
    except InvalidSharingInput as invalid:
        raise InvalidInput(invalid.message, field="audience") from None
