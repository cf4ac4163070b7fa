from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.trends import settings as disclosure_settings
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.mutations import run_mutation
from schema.trends.types import DisclosureSettingsType
from sharing import Scope


@strawberry.type(description="Why disclosureSettingsSet failed.")
class DisclosureSettingsSetError(MutationError):
    pass


@strawberry.input(description="What to change; null keeps the current value. Stricter only.")
class DisclosureSettingsSetInput:
    min_contributors: int | None = strawberry.field(default=None, description="5 to 50.")
    dominance: float | None = strawberry.field(default=None, description="0.05 to 0.25.")
    protection: float | None = strawberry.field(default=None, description="0.2 to 0.5.")
    report_lag_months: int | None = strawberry.field(default=None, description="3 to 24.")
    indicator_lag_weeks: int | None = strawberry.field(default=None, description="2 to 26.")


@strawberry.type
class DisclosureSettingsSetPayload:
    errors: list[DisclosureSettingsSetError]
    settings: DisclosureSettingsType | None = None


async def resolve(info: Info, input: DisclosureSettingsSetInput) -> DisclosureSettingsSetPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        changed = await disclosure_settings.change(
            session, viewer=info.context.viewer, changes=vars(input)
        )
        return {"settings": DisclosureSettingsType.from_domain(changed)}

    payload: DisclosureSettingsSetPayload = await run_mutation(
        info,
        payload=DisclosureSettingsSetPayload,
        error=DisclosureSettingsSetError,
        operation=operation,
    )
    return payload


disclosure_settings_set = mutation_field(
    resolve,
    capability=requires(Scope.ALLIANCE_ADMIN),
    description=(
        "Make the disclosure rules of future trend releases stricter (alliance admins; "
        "audited). Frozen releases stay as they are."
    ),
    payload=DisclosureSettingsSetPayload,
    error=DisclosureSettingsSetError,
)
