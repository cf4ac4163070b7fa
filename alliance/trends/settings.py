"""Disclosure settings (alliance admins): thresholds and lags of the aggregates.

Stored in `alliance_settings` under "disclosure"; a change applies to releases built
afterwards, never to frozen ones. Admins may only make the rules stricter than the
built-in defaults (DESIGN §5: the defaults are the floor), see docs/trends.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.audit import service as audit_service
from alliance.errors import InvalidInput
from alliance.retention.models import AllianceSetting
from sharing import Scope, Viewer
from sharing.disclosure import Rules

SETTING_NAME = "disclosure"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DisclosureSettings:
    """The rules of releases built from now on."""

    min_contributors: int = 5
    dominance: float = 0.25
    protection: float = 0.2
    report_lag_months: int = 3
    indicator_lag_weeks: int = 2

    def rules(self) -> Rules:
        return Rules(self.min_contributors, self.dominance, self.protection)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> DisclosureSettings:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in body.items() if name in known})


DEFAULTS = DisclosureSettings()
# (field, lowest, highest): every bound keeps the rules at least as strict as the defaults.
_BOUNDS: dict[str, tuple[float, float]] = {
    "min_contributors": (DEFAULTS.min_contributors, 50),
    "dominance": (0.05, DEFAULTS.dominance),
    "protection": (DEFAULTS.protection, 0.5),
    "report_lag_months": (DEFAULTS.report_lag_months, 24),
    "indicator_lag_weeks": (DEFAULTS.indicator_lag_weeks, 26),
}
_FIELD_NAMES = {
    "min_contributors": "minContributors",
    "dominance": "dominance",
    "protection": "protection",
    "report_lag_months": "reportLagMonths",
    "indicator_lag_weeks": "indicatorLagWeeks",
}


async def current(session: AsyncSession) -> DisclosureSettings:
    """The disclosure settings in force (the defaults until an admin sets them)."""
    row = await session.get(AllianceSetting, SETTING_NAME)
    return DEFAULTS if row is None else DisclosureSettings.from_json(row.value)


async def read(session: AsyncSession, *, viewer: Viewer) -> DisclosureSettings:
    """The disclosure settings, for alliance admins; `Forbidden` for anyone else."""
    require_scope(viewer, Scope.ALLIANCE_ADMIN)
    return await current(session)


def apply_changes(settings: DisclosureSettings, changes: Mapping[str, Any]) -> DisclosureSettings:
    """`settings` with `changes` (None keeps a value); `InvalidInput` names the field when a
    value would loosen the rules below the defaults or is out of range."""
    updated = {}
    for name, value in changes.items():
        if value is None:
            continue
        lowest, highest = _BOUNDS[name]
        if not lowest <= value <= highest:
            raise InvalidInput(
                f"{_FIELD_NAMES[name]} is from {lowest} to {highest}.", field=_FIELD_NAMES[name]
            )
        updated[name] = value
    return dataclasses.replace(settings, **updated)


async def change(
    session: AsyncSession, *, viewer: Viewer, changes: Mapping[str, Any]
) -> DisclosureSettings:
    """Change the disclosure settings (alliance admins only; audited). Frozen releases
    stay as they are; releases built from now on follow the new rules."""
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
        action="disclosure_settings.set",
        target_type="AllianceSetting",
        target_id=SETTING_NAME,
        details=updated.to_json(),
    )
    return updated
