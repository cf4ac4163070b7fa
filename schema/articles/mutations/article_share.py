from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles import service as article_service
from alliance.indicators.drafts import parse_requested_audience
from schema.articles.shell import article_as_viewer
from schema.articles.types import ArticleType
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why articleShare failed.")
class ArticleShareError(MutationError):
    pass


@strawberry.type
class ArticleSharePayload:
    errors: list[ArticleShareError]
    article: ArticleType | None = None


async def resolve(
    info: Info, id: strawberry.ID, audience: str | None = None
) -> ArticleSharePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        shared, _ = await article_service.share(
            session,
            viewer=viewer,
            article_id=require_id(id, "Article"),
            audience=parse_requested_audience(audience),
        )
        return {"article": await article_as_viewer(session, viewer, shared.id)}

    payload: ArticleSharePayload = await run_mutation(
        info, payload=ArticleSharePayload, error=ArticleShareError, operation=operation
    )
    return payload


article_share = mutation_field(
    resolve,
    capability=requires(Scope.EXPERTISE_WRITE),
    description=(
        "Give one of your articles a new audience (text form; null: your policy's default). "
        "MATCH_ONLY is refused."
    ),
    payload=ArticleSharePayload,
    error=ArticleShareError,
)
