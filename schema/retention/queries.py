from __future__ import annotations

from alliance.retention import settings as retention_settings
from schema.capabilities import query_field, requires
from schema.context import Info
from schema.retention.types import RetentionSettingsType
from sharing import Scope


async def resolve_retention_settings(info: Info) -> RetentionSettingsType:
    async with info.context.session() as session:
        found = await retention_settings.read(session, viewer=info.context.viewer)
    return RetentionSettingsType.from_domain(found)


retention_settings_query = query_field(
    resolve_retention_settings,
    capability=requires(Scope.ALLIANCE_ADMIN),
    description="The alliance's retention settings (alliance admins).",
)
