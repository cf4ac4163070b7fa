"""One item of a bulk upsert: what it asks for, its key, and what it changes in a record
that exists. Pure: no database; `upsert.py` looks records up and writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from alliance.errors import Conflict
from alliance.indicators import rules
from alliance.indicators.bulk_rows import BatchRules
from alliance.indicators.drafts import IndicatorChanges, IndicatorDraft, region_code
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize import IndicatorValue, Normalized, normalize
from alliance.indicators.vocabulary import EvidenceLevel, IndicatorStatus, Purpose
from sharing.audience import Audience, Tlp, format_audience

# Fields of an item that `IndicatorDraft` takes as they are (None: the draft's default).
_DRAFT_FIELDS = (
    "confidence", "evidence_level", "jurisdiction", "purpose", "tlp", "first_seen",
    "last_seen", "expires_at", "external_id", "audience", "personal_data_region",
)  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class UpsertItem:
    """An indicator as a member system sends it. A field left None takes its default
    when the record is created (as in `IndicatorDraft`) and keeps its value when the
    record exists. `kind`, the value, `tlp`, `first_seen` and `personal_data_region`
    never change: a different one for an existing record is refused."""

    kind: IndicatorKind
    value: IndicatorValue
    external_id: str | None = None
    brand_ids: tuple[uuid.UUID, ...] | None = None
    confidence: int | None = None
    evidence_level: EvidenceLevel | None = None
    jurisdiction: str | None = None
    purpose: Purpose | None = None
    tlp: Tlp | None = None
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    audience: Audience | None = None
    personal_data_region: str | None = None

    def draft(self) -> IndicatorDraft:
        """The new indicator this item makes when its record does not exist."""
        given = {name: getattr(self, name) for name in _DRAFT_FIELDS}
        return IndicatorDraft(
            kind=self.kind,
            value=self.value,
            brand_ids=self.brand_ids or (),
            **{name: value for name, value in given.items() if value is not None},
        )

    def changes(self) -> IndicatorChanges:
        """The update this item makes to its record when it exists."""
        return IndicatorChanges(
            confidence=self.confidence,
            evidence_level=self.evidence_level,
            jurisdiction=self.jurisdiction,
            purpose=self.purpose,
            last_seen=self.last_seen,
            expires_at=self.expires_at,
            brand_ids=self.brand_ids,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Keyed:
    """An item with its position, normalised value, stored external id and key:
    ("external", id) or ("value", kind, match key)."""

    index: int
    item: UpsertItem
    normalized: Normalized
    external_id: str | None
    key: tuple[str, ...]


def key_of(index: int, item: UpsertItem) -> Keyed:
    """The item keyed; `InvalidInput` for a value or external id that is invalid."""
    normalized = normalize(item.kind, item.value)
    if item.external_id is not None:
        external_id = rules.require_external_id(item.external_id)
        return Keyed(index, item, normalized, external_id, ("external", external_id))
    key = ("value", item.kind.value, normalized.match_key)
    return Keyed(index, item, normalized, None, key)


@dataclasses.dataclass(frozen=True, slots=True)
class UpdatePlan:
    """What an item changes in its record: columns (with `updated_at`), brands, audience."""

    columns: dict[str, Any]
    brands: frozenset[uuid.UUID] | None = None
    audience: Audience | None = None

    @property
    def empty(self) -> bool:
        return not self.columns and self.brands is None and self.audience is None


def update_plan(
    batch: BatchRules, keyed: Keyed, row: dict[str, Any], brands: frozenset[uuid.UUID]
) -> UpdatePlan:
    """What `keyed` changes in the existing record `row` (its columns by name) holding
    `brands`; the single path's rules (`rules.require_live`, `rules.changed_fields`,
    `rules.require_own_brands`, the owner's policy) refuse what they refuse there."""
    item = keyed.item
    field = "externalId" if keyed.external_id is not None else "value"
    rules.require_live(
        IndicatorStatus(row["status"]), row["expires_at"], batch.now, what="changed", field=field
    )
    _require_same(keyed, row)
    columns = rules.changed_fields(
        row, item.changes(), kind=item.kind, retention=batch.retention, now=batch.now
    )
    chosen = None
    if item.brand_ids is not None:
        rules.require_own_brands(item.brand_ids, batch.brands)
        chosen = frozenset(item.brand_ids) if frozenset(item.brand_ids) != brands else None
    audience = None
    if item.audience is not None and format_audience(item.audience) != row["requested_audience"]:
        draft = IndicatorDraft(
            kind=item.kind, value=item.value, tlp=row["tlp"], audience=item.audience
        )
        audience, requested, _keys = batch.audience(draft, row["personal_data_region"])
        columns.update(requested_audience=requested, policy_version=batch.version)
    plan = UpdatePlan(columns, chosen, audience)
    if not plan.empty:
        columns["updated_at"] = batch.now
    return plan


def _require_same(keyed: Keyed, row: dict[str, Any]) -> None:
    """`Conflict` naming the field when the item asks to change what never changes."""
    item = keyed.item
    if (item.kind.value, keyed.normalized.match_key) != (str(row["kind"]), row["match_key"]):
        raise Conflict(
            "Your indicator with this external id has another value; a value never "
            "changes (retract that indicator and send this one with a new external id).",
            field="value",
        )
    fixed = {
        "tlp": ("tlp", item.tlp),
        "firstSeen": ("first_seen", rules.require_aware(item.first_seen, "firstSeen")),
        "personalDataRegion": ("personal_data_region", region_code(item.personal_data_region)),
    }
    for field, (column, wanted) in fixed.items():
        if wanted is not None and not rules.same_value(row[column], wanted):
            raise Conflict(f"The {field} of an indicator never changes.", field=field)
