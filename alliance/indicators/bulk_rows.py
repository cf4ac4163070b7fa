"""The rows of one member's bulk write of indicators, worked out before anything is written.

Each draft is validated and normalised once (`draft_fields`, as `service.create` does);
the owner's policy is applied once per distinct (requested audience, TLP, kind, personal
data region), since `effective_audience` depends on nothing else within one batch. A bad
draft is an `InvalidDraft` naming its position, its external id and the field, raised
before any row is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.brands.models import Brand
from alliance.db import utcnow
from alliance.errors import InvalidInput
from alliance.indicators.audience import require_known_targets
from alliance.indicators.drafts import IndicatorDraft, draft_fields
from alliance.indicators.images import segment_rows
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize import Normalized
from alliance.indicators.rules import require_own_brands
from alliance.indicators.vocabulary import IndicatorStatus
from alliance.policies.store import alliance_regions, policy_for_records
from alliance.retention import settings as retention_settings
from alliance.retention.settings import RetentionSettings
from sharing.audience import AllianceRegions, Audience, Tlp, format_audience
from sharing.errors import SharingError
from sharing.policy import MemberPolicy, RecordType, effective_audience
from sharing.storage import audience_keys_of

INDICATOR_COLUMNS = (
    "id", "owner_member_id", "kind", "match_key", "value", "extra", "platform", "confidence",
    "evidence_level", "jurisdiction", "purpose", "tlp", "first_seen", "last_seen", "expires_at",
    "status", "external_id", "requested_audience", "personal_data_region", "policy_version",
    "created_at", "updated_at", "legal_hold", "audience_keys",
)  # fmt: skip
_FIELDS = INDICATOR_COLUMNS[2:15]  # the columns `draft_fields` gives, in table order

AudienceKey = tuple[Audience | None, Tlp, IndicatorKind, str | None]


class InvalidDraft(InvalidInput):
    """A draft of a bulk write is invalid or refused: `index` (its position in the
    write, from 0) and `external_id` say which; `field` says what is wrong with it."""

    def __init__(
        self, message: str, *, index: int, external_id: str | None, field: str | None
    ) -> None:
        which = "no external id" if external_id is None else f"external id {external_id}"
        super().__init__(f"Indicator {index} ({which}): {message}", field=field)
        self.index = index
        self.external_id = external_id


@dataclasses.dataclass
class BatchRows:
    """The rows of the new indicators of one write, by table; `external_ids`, `kinds`
    and `audiences` follow the order of `indicators`."""

    indicators: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    external_ids: list[str] = dataclasses.field(default_factory=list)
    kinds: list[str] = dataclasses.field(default_factory=list)
    audiences: dict[uuid.UUID, Audience] = dataclasses.field(default_factory=dict)
    brands: list[tuple[uuid.UUID, uuid.UUID]] = dataclasses.field(default_factory=list)
    segments: list[tuple[uuid.UUID, int, bytes]] = dataclasses.field(default_factory=list)

    def ids(self) -> list[uuid.UUID]:
        return [row[0] for row in self.indicators]

    def only(self, kept: set[uuid.UUID]) -> BatchRows:
        """The rows of the indicators of `kept` (those a concurrent writer did not take)."""
        positions = [i for i, row in enumerate(self.indicators) if row[0] in kept]
        return BatchRows(
            indicators=[self.indicators[i] for i in positions],
            external_ids=[self.external_ids[i] for i in positions],
            kinds=[self.kinds[i] for i in positions],
            audiences={rid: aud for rid, aud in self.audiences.items() if rid in kept},
            brands=[row for row in self.brands if row[0] in kept],
            segments=[row for row in self.segments if row[0] in kept],
        )


@dataclasses.dataclass
class BatchRules:
    """What every draft of one owner's write is checked against and narrowed by; loaded
    once per write. The owner's policy stays current until the transaction ends
    (`policy_for_records`)."""

    owner: uuid.UUID
    policy: MemberPolicy
    version: int
    regions: AllianceRegions
    brands: frozenset[uuid.UUID]
    retention: RetentionSettings
    now: dt.datetime
    _audiences: dict[AudienceKey, tuple[Audience, str | None, list[str] | None]] = (
        dataclasses.field(default_factory=dict)
    )

    @classmethod
    async def load(cls, session: AsyncSession, owner: uuid.UUID) -> BatchRules:
        policy, version = await policy_for_records(session, owner)
        brands = await session.scalars(select(Brand.id).where(Brand.member_id == owner))
        return cls(
            owner=owner,
            policy=policy,
            version=version,
            regions=await alliance_regions(session),
            brands=frozenset(brands),
            retention=await retention_settings.current(session),
            now=utcnow(),
        )

    def audience(
        self, draft: IndicatorDraft, personal_data_region: str | None
    ) -> tuple[Audience, str | None, list[str] | None]:
        """The effective audience to store, the requested one in text form, and the
        record's audience keys (written with the row: the triggers then rewrite none)."""
        key = (draft.audience, draft.tlp, draft.kind, personal_data_region)
        found = self._audiences.get(key)
        if found is None:
            require_known_targets(self.regions, draft.audience, personal_data_region)
            effective = effective_audience(
                draft.audience,
                owner_id=self.owner,
                tlp=draft.tlp,
                policy=self.policy,
                record_type=RecordType.INDICATOR,
                kind=draft.kind.value,
                regions=self.regions,
                personal_data_region=personal_data_region,
            )
            requested = None if draft.audience is None else format_audience(draft.audience)
            keys = audience_keys_of(effective)
            found = self._audiences[key] = (effective, requested, keys)
        return found


def batch_rows(
    rules: BatchRules, drafts: Sequence[tuple[int, IndicatorDraft]], external_ids: Sequence[str]
) -> BatchRows:
    """The rows of `drafts` (each with its position in the write); `InvalidDraft` for
    the first bad one. `external_ids`: every draft's stored external id, by position."""
    rows = BatchRows()
    record_ids = random_uuids(len(drafts))
    for (index, draft), record in zip(drafts, record_ids, strict=True):
        try:
            add_draft(rows, rules, draft, record)
        except InvalidInput as invalid:
            raise InvalidDraft(
                invalid.message, index=index, external_id=external_ids[index], field=invalid.field
            ) from None
    return rows


def add_draft(
    rows: BatchRows,
    rules: BatchRules,
    draft: IndicatorDraft,
    record: uuid.UUID,
    normalized: Normalized | None = None,
) -> None:
    """Add the rows of one new indicator `record` (`normalized`: its value normalised
    already, if it was); `InvalidInput` names the field at fault, and nothing of the
    draft is added then."""
    try:
        _add(rows, rules, draft, record, normalized)
    except SharingError as refused:
        # A refusal by the policy names `audience` unless it says otherwise, as in the
        # one-by-one path (`effective_for`).
        raise InvalidInput(refused.message, field=refused.field or "audience") from None


def random_uuids(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) UUIDs, as `uuid.uuid4` makes them, from one read of the
    system's random source instead of one per id."""
    randomness = os.urandom(16 * count)
    return [
        uuid.UUID(bytes=randomness[start : start + 16], version=4)
        for start in range(0, 16 * count, 16)
    ]


def _add(
    rows: BatchRows,
    rules: BatchRules,
    draft: IndicatorDraft,
    record: uuid.UUID,
    normalized: Normalized | None,
) -> None:
    now = rules.now
    _normalized, fields = draft_fields(draft, now, normalized)
    fields["expires_at"] = rules.retention.expiry_for(draft.kind, draft.expires_at, now)
    region = fields["personal_data_region"]
    effective, requested, keys = rules.audience(draft, region)
    chosen = set(draft.brand_ids)
    require_own_brands(chosen, rules.brands)
    rows.indicators.append(
        (
            record,
            rules.owner,
            *(fields[name] for name in _FIELDS),
            IndicatorStatus.ACTIVE,
            fields["external_id"],
            requested,
            region,
            rules.version,
            now,
            now,
            False,
            keys,
        )
    )
    rows.external_ids.append(fields["external_id"])
    rows.kinds.append(draft.kind.value)
    rows.audiences[record] = effective
    rows.brands += [(record, brand) for brand in chosen]
    if draft.kind is IndicatorKind.IMAGE_PDQ:
        rows.segments += [
            (row["indicator_id"], row["bucket"], row["hash"])
            for row in segment_rows(record, fields["match_key"])
        ]
