from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles import service as article_service
from alliance.articles.drafts import ArticleChanges
from alliance.articles.vocabulary import ArticleKind
from schema.articles.shell import article_as_viewer
from schema.articles.types import ArticleType
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.errors import MutationError
from schema.ids import require_id, require_ids
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why articleUpdate failed.")
class ArticleUpdateError(MutationError):
    pass


def _listed(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


@strawberry.input(description="Changes to an article; a field left out stays as it is.")
class ArticleUpdateInput:
    id: strawberry.ID
    kind: ArticleKind | None = None
    title: str | None = None
    body: str | None = strawberry.field(default=None, description="Markdown.")
    brand_ids: list[strawberry.ID] | None = None
    categories: list[str] | None = None
    jurisdictions: list[str] | None = None
    languages: list[str] | None = None

    def to_domain(self) -> ArticleChanges:
        return ArticleChanges(
            kind=self.kind,
            title=self.title,
            body=self.body,
            brand_ids=None
            if self.brand_ids is None
            else require_ids(self.brand_ids, "Brand", field="brandIds"),
            categories=_listed(self.categories),
            jurisdictions=_listed(self.jurisdictions),
            languages=_listed(self.languages),
        )


@strawberry.type
class ArticleUpdatePayload:
    errors: list[ArticleUpdateError]
    article: ArticleType | None = None


async def resolve(info: Info, input: ArticleUpdateInput) -> ArticleUpdatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        updated = await article_service.update(
            session,
            viewer=viewer,
            article_id=require_id(input.id, "Article"),
            changes=input.to_domain(),
        )
        return {"article": await article_as_viewer(session, viewer, updated.id)}

    payload: ArticleUpdatePayload = await run_mutation(
        info, payload=ArticleUpdatePayload, error=ArticleUpdateError, operation=operation
    )
    return payload


article_update = mutation_field(
    resolve,
    capability=requires(Scope.EXPERTISE_WRITE),
    description="Edit one of your articles: a new title or body is a new version.",
    payload=ArticleUpdatePayload,
    error=ArticleUpdateError,
)
