"""The alliance's retention settings as its admins read them."""

from __future__ import annotations

import strawberry

from alliance.retention.settings import RetentionSettings
from schema.enums import IndicatorKind


@strawberry.type(description="How long records of one kind live unless their writer says.")
class KindExpiry:
    kind: IndicatorKind
    days: int = strawberry.field(description="Days from the write to the default expiry.")


@strawberry.type(description="Expiry per kind, the longest expiry, and the retention period.")
class RetentionSettingsType:
    expiry_days: list[KindExpiry] = strawberry.field(
        description="The default expiry of each indicator kind."
    )
    max_expiry_days: int = strawberry.field(
        description="The latest expiry a writer may give, in days after the write."
    )
    purge_after_days: int = strawberry.field(
        description="Days after a record expired or was retracted before its personal data "
        "is purged (unless under legal hold)."
    )

    @classmethod
    def from_domain(cls, settings: RetentionSettings) -> RetentionSettingsType:
        return cls(
            expiry_days=[
                KindExpiry(kind=kind, days=days)
                for kind, days in sorted(settings.expiry_days.items())
            ],
            max_expiry_days=settings.max_expiry_days,
            purge_after_days=settings.purge_after_days,
        )
