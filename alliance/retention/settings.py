"""Retention settings (alliance admins): default expiry per indicator kind, the longest
expiry a writer may ask for, and how long personal data stays after a record ended.

Defaults and the reasoning behind them: docs/retention.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.audit import service as audit_service
from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.retention.models import AllianceSetting
from sharing import Scope, Viewer

SETTING_NAME = "retention"
# Bounds on what admins may set: a day at least, ten years at most.
LONGEST_DAYS = 3650

_YEAR = 365
DEFAULT_EXPIRY_DAYS: Mapping[IndicatorKind, int] = MappingProxyType(
    {
        IndicatorKind.SELLER_ACCOUNT: 2 * _YEAR,
        IndicatorKind.STOREFRONT_URL: 2 * _YEAR,
        IndicatorKind.LISTING: 2 * _YEAR,
        IndicatorKind.URL: _YEAR,
        IndicatorKind.DOMAIN: _YEAR,
        IndicatorKind.EMAIL: 2 * _YEAR,
        IndicatorKind.PHONE: 2 * _YEAR,
        IndicatorKind.SOCIAL_HANDLE: 2 * _YEAR,
        IndicatorKind.MESSAGING_ID: 2 * _YEAR,
        IndicatorKind.PAYMENT_ACCOUNT: 2 * _YEAR,
        IndicatorKind.BANK_ACCOUNT: 2 * _YEAR,
        IndicatorKind.COMPANY_ID: 3 * _YEAR,
        IndicatorKind.TRACKING_NUMBER: _YEAR,
        IndicatorKind.ADDRESS: 2 * _YEAR,
        IndicatorKind.IMAGE_PDQ: 3 * _YEAR,
    }
)
DEFAULT_MAX_EXPIRY_DAYS = 5 * _YEAR
DEFAULT_PURGE_AFTER_DAYS = 90


@dataclasses.dataclass(frozen=True, slots=True)
class RetentionSettings:
    """The alliance's retention rules; every kind has a default expiry."""

    expiry_days: Mapping[IndicatorKind, int] = dataclasses.field(
        default_factory=lambda: DEFAULT_EXPIRY_DAYS
    )
    max_expiry_days: int = DEFAULT_MAX_EXPIRY_DAYS
    purge_after_days: int = DEFAULT_PURGE_AFTER_DAYS

    def default_expiry(self, kind: IndicatorKind, now: dt.datetime) -> dt.datetime:
        """When a record of `kind` written at `now` expires unless its writer says."""
        return now + dt.timedelta(days=self.expiry_days[kind])

    def latest_expiry(self, now: dt.datetime) -> dt.datetime:
        """The latest expiry a record written (or changed) at `now` may have."""
        return now + dt.timedelta(days=self.max_expiry_days)

    def expiry_for(
        self, kind: IndicatorKind, requested: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime:
        """The expiry of a record of `kind` written at `now`: the writer's (in UTC), which
        must lie after `now` and not beyond the longest expiry, else the kind's default.
        `InvalidInput` names `expiresAt`."""
        if requested is None:
            return self.default_expiry(kind, now)
        if requested.tzinfo is None:
            raise InvalidInput("Times need a time zone offset, e.g. Z.", field="expiresAt")
        requested = requested.astimezone(dt.UTC)
        if requested <= now:
            raise InvalidInput("An expiry lies in the future.", field="expiresAt")
        if requested > self.latest_expiry(now):
            raise InvalidInput(
                f"An expiry is at most {self.max_expiry_days} days ahead.", field="expiresAt"
            )
        return requested

    def purge_cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records that ended (expired or were retracted) before this are purged."""
        return now - dt.timedelta(days=self.purge_after_days)

    def to_json(self) -> dict[str, Any]:
        return {
            "expiry_days": {kind.value: days for kind, days in self.expiry_days.items()},
            "max_expiry_days": self.max_expiry_days,
            "purge_after_days": self.purge_after_days,
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> RetentionSettings:
        # Kinds added after the settings were stored get their built-in default.
        stored = {
            IndicatorKind(kind): int(days)
            for kind, days in body.get("expiry_days", {}).items()
            if kind in IndicatorKind.__members__
        }
        return cls(
            expiry_days=MappingProxyType({**DEFAULT_EXPIRY_DAYS, **stored}),
            max_expiry_days=int(body.get("max_expiry_days", DEFAULT_MAX_EXPIRY_DAYS)),
            purge_after_days=int(body.get("purge_after_days", DEFAULT_PURGE_AFTER_DAYS)),
        )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RetentionChanges:
    """What an admin changes; None (or a kind left out) keeps the current value."""

    expiry_days: Mapping[IndicatorKind, int] = dataclasses.field(default_factory=dict)
    max_expiry_days: int | None = None
    purge_after_days: int | None = None


async def current(session: AsyncSession) -> RetentionSettings:
    """The retention settings in force (the built-in defaults until an admin sets them)."""
    row = await session.get(AllianceSetting, SETTING_NAME)
    return RetentionSettings() if row is None else RetentionSettings.from_json(row.value)


async def read(session: AsyncSession, *, viewer: Viewer) -> RetentionSettings:
    """The retention settings, for alliance admins; `Forbidden` for anyone else."""
    require_scope(viewer, Scope.ALLIANCE_ADMIN)
    return await current(session)


def _require_days(days: int, field: str, lowest: int, what: str) -> int:
    if not lowest <= days <= LONGEST_DAYS:
        raise InvalidInput(f"{what} is from {lowest} to {LONGEST_DAYS} days.", field=field)
    return days


def apply_changes(settings: RetentionSettings, changes: RetentionChanges) -> RetentionSettings:
    """`settings` with `changes`, validated; `InvalidInput` names the field at fault."""
    max_days = settings.max_expiry_days
    if changes.max_expiry_days is not None:
        max_days = _require_days(changes.max_expiry_days, "maxExpiryDays", 1, "The longest expiry")
    purge = settings.purge_after_days
    if changes.purge_after_days is not None:
        purge = _require_days(changes.purge_after_days, "purgeAfterDays", 0, "The retention")
    expiry = dict(settings.expiry_days)
    for kind, days in changes.expiry_days.items():
        expiry[kind] = _require_days(days, "expiryDays", 1, f"The expiry of {kind.value}")
    too_long = sorted(kind.value for kind, days in expiry.items() if days > max_days)
    if too_long:
        field = "expiryDays" if changes.expiry_days else "maxExpiryDays"
        raise InvalidInput(
            f"Default expiry of {', '.join(too_long)} exceeds the longest expiry "
            f"({max_days} days).",
            field=field,
        )
    return RetentionSettings(MappingProxyType(expiry), max_days, purge)


async def change(
    session: AsyncSession, *, viewer: Viewer, changes: RetentionChanges
) -> RetentionSettings:
    """Change the retention settings (alliance admins only; audited). New values apply to
    records written from now on and to the next purge; existing expiries stay."""
    require_scope(viewer, Scope.ALLIANCE_ADMIN)
    updated = apply_changes(await current(session), changes)
    row = await session.get(AllianceSetting, SETTING_NAME, with_for_update=True)
    if row is None:
        row = AllianceSetting(name=SETTING_NAME)
        session.add(row)
    row.value = updated.to_json()
    row.updated_by = viewer.principal_id
    audit_service.record(
        session,
        viewer=viewer,
        action="retention_settings.set",
        target_type="AllianceSetting",
        target_id=SETTING_NAME,
        details=updated.to_json(),
    )
    return updated
