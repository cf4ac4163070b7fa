"""Writing indicators: create, update, retract, share. Only the owner writes its records."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.audit import service as audit_service
from alliance.brands.models import Brand
from alliance.db import utcnow
from alliance.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RecordRef,
)
from alliance.indicators import rules
from alliance.indicators.audience import effective_for
from alliance.indicators.drafts import IndicatorChanges, IndicatorDraft, draft_fields
from alliance.indicators.images import write_segments
from alliance.indicators.models import Indicator
from alliance.indicators.rules import require_own_brands, require_writer
from alliance.indicators.vocabulary import IndicatorStatus
from alliance.retention import settings as retention_settings
from sharing import Scope, Viewer
from sharing.audience import Audience, format_audience
from sharing.storage import write_audiences


async def _brands(session: AsyncSession, owner: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Brand]:
    if not ids:
        return []
    found = (
        await session.scalars(select(Brand).where(Brand.id.in_(set(ids)), Brand.member_id == owner))
    ).all()
    require_own_brands(ids, (brand.id for brand in found))
    return list(found)


async def _store_audience(
    session: AsyncSession, indicator: Indicator, requested: Audience | None
) -> Audience:
    effective, version = await effective_for(
        session,
        owner_id=indicator.owner_member_id,
        requested=requested,
        tlp=indicator.tlp,
        kind=indicator.kind,
        personal_data_region=indicator.personal_data_region,
    )
    indicator.requested_audience = None if requested is None else format_audience(requested)
    indicator.policy_version = version
    await session.flush()
    await write_audiences(session, Indicator, {indicator.id: effective})
    return effective


def is_expired(indicator: Indicator, now: dt.datetime) -> bool:
    """Whether the indicator has expired at `now` (whether or not the job marked it)."""
    return rules.is_expired(indicator.status, indicator.expires_at, now)


async def create(
    session: AsyncSession,
    *,
    viewer: Viewer,
    draft: IndicatorDraft,
    now: dt.datetime | None = None,
) -> Indicator:
    """A new indicator owned by the viewer's member, stored with its effective audience.

    Its expiry is the writer's (after `now`, within the alliance's longest expiry) or
    the alliance's default for its kind. `now` (default: the clock) is the moment of the
    write. Idempotency: an (owner, external id) that exists already is a `Conflict` on
    `externalId` naming that indicator; the same match key from another member is a
    separate indicator.
    """
    owner = require_writer(viewer)
    now = now or utcnow()
    normalized, fields = draft_fields(draft, now)
    settings = await retention_settings.current(session)
    fields["expires_at"] = settings.expiry_for(draft.kind, draft.expires_at, now)
    if fields["external_id"] is not None:
        taken = await session.scalar(
            select(Indicator.id).where(
                Indicator.owner_member_id == owner, Indicator.external_id == fields["external_id"]
            )
        )
        if taken is not None:
            raise Conflict(
                "You already have an indicator with this external id.",
                field="externalId",
                existing=RecordRef("Indicator", taken),
            )
    indicator = Indicator(id=uuid.uuid4(), owner_member_id=owner, **fields)
    indicator.brands = await _brands(session, owner, draft.brand_ids)
    session.add(indicator)
    await _store_audience(session, indicator, draft.audience)
    await write_segments(session, indicator)
    audit_service.record(
        session,
        viewer=viewer,
        action="indicator.create",
        target_type="Indicator",
        target_id=indicator.id,
        target_member_id=owner,
        details={"kind": normalized.kind.value, "external_id": fields["external_id"]},
    )
    return indicator


async def require_own(
    session: AsyncSession, *, viewer: Viewer, indicator_id: uuid.UUID
) -> Indicator:
    """The viewer's own indicator, locked for update; `NotFound` for any other id.

    Another member's record, visible or not, gets the same answer as a missing one, and
    so does a purged one (docs/retention.md).
    """
    owner = require_writer(viewer)
    indicator = await session.scalar(
        select(Indicator)
        .where(
            Indicator.id == indicator_id,
            Indicator.owner_member_id == owner,
            Indicator.purged_at.is_(None),
        )
        .with_for_update()
    )
    if indicator is None:
        raise NotFound("indicator")
    return indicator


async def update(
    session: AsyncSession,
    *,
    viewer: Viewer,
    indicator_id: uuid.UUID,
    changes: IndicatorChanges,
    now: dt.datetime | None = None,
) -> Indicator:
    """Change fields of an own, active (not expired) indicator; None keeps a field."""
    now = now or utcnow()
    indicator = await require_own(session, viewer=viewer, indicator_id=indicator_id)
    rules.require_live(indicator.status, indicator.expires_at, now, what="changed")
    settings = await retention_settings.current(session)
    current = {name: getattr(indicator, name) for name in rules.CHANGEABLE}
    fields = rules.changed_fields(
        current, changes, kind=indicator.kind, retention=settings, now=now
    )
    for name, value in fields.items():
        setattr(indicator, name, value)
    if changes.brand_ids is not None:
        await session.refresh(indicator, attribute_names=["brands"])
        indicator.brands = await _brands(session, indicator.owner_member_id, changes.brand_ids)
    indicator.updated_at = utcnow()
    _audit(session, viewer, indicator, "indicator.update")
    return indicator


async def retract(
    session: AsyncSession,
    *,
    viewer: Viewer,
    indicator_id: uuid.UUID,
    now: dt.datetime | None = None,
) -> Indicator:
    """ACTIVE → RETRACTED at `now`: the record leaves every other member's view; its
    personal data is purged once the retention period has passed (docs/retention.md)."""
    now = now or utcnow()
    indicator = await require_own(session, viewer=viewer, indicator_id=indicator_id)
    rules.require_live(indicator.status, indicator.expires_at, now, what="retracted")
    indicator.status = IndicatorStatus.RETRACTED
    indicator.retracted_at = now
    indicator.updated_at = now
    _audit(session, viewer, indicator, "indicator.retract")
    return indicator


async def share(
    session: AsyncSession, *, viewer: Viewer, indicator_id: uuid.UUID, audience: Audience | None
) -> tuple[Indicator, Audience]:
    """Give an own indicator a new audience (None: the policy's default); returns the
    effective audience stored."""
    indicator = await require_own(session, viewer=viewer, indicator_id=indicator_id)
    effective = await _store_audience(session, indicator, audience)
    indicator.updated_at = utcnow()
    _audit(session, viewer, indicator, "indicator.share", {"audience": format_audience(effective)})
    return indicator, effective


MAX_HOLD_REASON = 500


async def set_legal_hold(
    session: AsyncSession,
    *,
    viewer: Viewer,
    indicator_id: uuid.UUID,
    hold: bool,
    reason: str | None,
) -> Indicator:
    """Set or clear the legal hold of an own indicator (the member's admins; audited).

    A held record is never purged; it still expires and leaves others' views as usual.
    Setting a hold needs a reason; only the owner ever sees either.
    """
    require_scope(viewer, Scope.MEMBERS_MANAGE)
    indicator = await require_own(session, viewer=viewer, indicator_id=indicator_id)
    cleaned = None if reason is None else reason.strip() or None
    if hold and cleaned is None:
        raise InvalidInput("A legal hold needs a reason.", field="reason")
    if cleaned is not None and len(cleaned) > MAX_HOLD_REASON:
        raise InvalidInput(f"A reason has at most {MAX_HOLD_REASON} characters.", field="reason")
    indicator.legal_hold = hold
    indicator.legal_hold_reason = cleaned if hold else None
    indicator.legal_hold_at = utcnow() if hold else None
    indicator.updated_at = utcnow()
    details = {"hold": str(hold).lower(), "reason": cleaned or ""}
    _audit(session, viewer, indicator, "indicator.legal_hold_set", details)
    return indicator


def _audit(
    session: AsyncSession,
    viewer: Viewer,
    indicator: Indicator,
    action: str,
    details: dict[str, str] | None = None,
) -> None:
    audit_service.record(
        session,
        viewer=viewer,
        action=action,
        target_type="Indicator",
        target_id=indicator.id,
        target_member_id=indicator.owner_member_id,
        details=details,
    )
