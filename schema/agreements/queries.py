from __future__ import annotations

from alliance.agreements import service as agreement_service
from schema.agreements.types import AgreementType
from schema.capabilities import ANY_VIEWER, query_field
from schema.context import Info


async def resolve_agreement(info: Info) -> AgreementType | None:
    async with info.context.session() as session:
        current = await agreement_service.current(session)
    return None if current is None else AgreementType.from_model(current)


agreement = query_field(
    resolve_agreement,
    capability=ANY_VIEWER,
    description=(
        "The current data-sharing agreement, which members must accept to read shared data."
    ),
)
