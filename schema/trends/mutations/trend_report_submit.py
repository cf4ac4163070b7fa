from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.trends import service as trend_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.mutations import run_mutation
from schema.trends.inputs import TrendReportRowInput
from schema.trends.types import TrendReportType
from sharing import Scope


@strawberry.type(
    description="Why trendReportSubmit failed; `field` names the row, e.g. rows[3].unitsSeized."
)
class TrendReportSubmitError(MutationError):
    pass


@strawberry.type
class TrendReportSubmitPayload:
    errors: list[TrendReportSubmitError]
    reports: list[TrendReportType] = strawberry.field(default_factory=list)


async def resolve(
    info: Info,
    rows: Annotated[
        list[TrendReportRowInput],
        strawberry.argument(description="1 to 1,000 rows; a key already reported is corrected."),
    ],
) -> TrendReportSubmitPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        written = await trend_service.submit(
            session, viewer=info.context.viewer, rows=[row.to_domain() for row in rows]
        )
        return {"reports": [TrendReportType.from_domain(report) for report in written]}

    payload: TrendReportSubmitPayload = await run_mutation(
        info, payload=TrendReportSubmitPayload, error=TrendReportSubmitError, operation=operation
    )
    return payload


trend_report_submit = mutation_field(
    resolve,
    capability=requires(Scope.TRENDS_WRITE),
    description=(
        "Submit or correct your member's trend reports, all rows or none. Earlier values are "
        "kept; a month already released gets a new release, audited against the earlier ones."
    ),
    payload=TrendReportSubmitPayload,
    error=TrendReportSubmitError,
)
