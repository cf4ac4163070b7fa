from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles import service as article_service
from schema.articles.shell import article_as_viewer
from schema.articles.types import ArticleType
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why articleRetract failed.")
class ArticleRetractError(MutationError):
    pass


@strawberry.type
class ArticleRetractPayload:
    errors: list[ArticleRetractError]
    article: ArticleType | None = None


async def resolve(info: Info, id: strawberry.ID) -> ArticleRetractPayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        retracted = await article_service.retract(
            session, viewer=viewer, article_id=require_id(id, "Article")
        )
        return {"article": await article_as_viewer(session, viewer, retracted.id)}

    payload: ArticleRetractPayload = await run_mutation(
        info, payload=ArticleRetractPayload, error=ArticleRetractError, operation=operation
    )
    return payload


article_retract = mutation_field(
    resolve,
    capability=requires(Scope.EXPERTISE_WRITE),
    description=(
        "Retract one of your articles: it and its attachments leave every other member's view."
    ),
    payload=ArticleRetractPayload,
    error=ArticleRetractError,
)
