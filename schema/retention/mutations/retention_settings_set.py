from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.retention import settings as retention_settings
from alliance.retention.settings import RetentionChanges
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import IndicatorKind
from schema.errors import MutationError
from schema.mutations import run_mutation
from schema.retention.types import RetentionSettingsType
from sharing import Scope


@strawberry.type(description="Why retentionSettingsSet failed.")
class RetentionSettingsSetError(MutationError):
    pass


@strawberry.input(description="The default expiry of one indicator kind.")
class KindExpiryInput:
    kind: IndicatorKind
    days: int = strawberry.field(description="1 to 3650, at most `maxExpiryDays`.")


@strawberry.input(description="What to change; left out (null) keeps the current value.")
class RetentionSettingsSetInput:
    expiry_days: list[KindExpiryInput] = strawberry.field(
        default_factory=list, description="Kinds left out keep their current default."
    )
    max_expiry_days: int | None = strawberry.field(default=None, description="1 to 3650.")
    purge_after_days: int | None = strawberry.field(default=None, description="0 to 3650.")

    def to_domain(self) -> RetentionChanges:
        kinds = [entry.kind for entry in self.expiry_days]
        if len(kinds) != len(set(kinds)):
            raise InvalidInput("Each kind at most once.", field="expiryDays")
        return RetentionChanges(
            expiry_days={entry.kind: entry.days for entry in self.expiry_days},
            max_expiry_days=self.max_expiry_days,
            purge_after_days=self.purge_after_days,
        )


@strawberry.type
class RetentionSettingsSetPayload:
    errors: list[RetentionSettingsSetError]
    settings: RetentionSettingsType | None = None


async def resolve(info: Info, input: RetentionSettingsSetInput) -> RetentionSettingsSetPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        changed = await retention_settings.change(
            session, viewer=info.context.viewer, changes=input.to_domain()
        )
        return {"settings": RetentionSettingsType.from_domain(changed)}

    payload: RetentionSettingsSetPayload = await run_mutation(
        info,
        payload=RetentionSettingsSetPayload,
        error=RetentionSettingsSetError,
        operation=operation,
    )
    return payload


retention_settings_set = mutation_field(
    resolve,
    capability=requires(Scope.ALLIANCE_ADMIN),
    description=(
        "Change the alliance's retention settings (alliance admins; audited). New values "
        "apply to records written from now on and to the next purge."
    ),
    payload=RetentionSettingsSetPayload,
    error=RetentionSettingsSetError,
)
