from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.agreements import service as agreement_service
from schema.agreements.types import AgreementType
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why agreementPublish failed.")
class AgreementPublishError(MutationError):
    pass


@strawberry.type
class AgreementPublishPayload:
    errors: list[AgreementPublishError]
    agreement: AgreementType | None = None


async def resolve(info: Info, text: str) -> AgreementPublishPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        agreement = await agreement_service.publish(session, viewer=info.context.viewer, text=text)
        return {"agreement": AgreementType.from_model(agreement)}

    payload: AgreementPublishPayload = await run_mutation(
        info, payload=AgreementPublishPayload, error=AgreementPublishError, operation=operation
    )
    return payload


agreement_publish = mutation_field(
    resolve,
    capability=requires(Scope.ALLIANCE_ADMIN),
    description=(
        "Publish the next agreement version, antitrust notice included; every member must "
        "accept it before reading shared data again (alliance admins)."
    ),
    payload=AgreementPublishPayload,
    error=AgreementPublishError,
)
