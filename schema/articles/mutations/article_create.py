from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles import service as article_service
from alliance.articles.drafts import ArticleDraft
from alliance.articles.vocabulary import ArticleKind
from alliance.indicators.drafts import parse_requested_audience
from schema.articles.shell import article_as_viewer
from schema.articles.types import ArticleType
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import Tlp
from schema.errors import MutationError
from schema.ids import require_ids
from schema.mutations import run_mutation
from sharing import Scope


@strawberry.type(description="Why articleCreate failed.")
class ArticleCreateError(MutationError):
    pass


@strawberry.input(description="A new article of your member.")
class ArticleCreateInput:
    kind: ArticleKind
    title: str = strawberry.field(description="1 to 300 characters.")
    body: str = strawberry.field(description="Markdown; raw HTML is shown as text.")
    tlp: Tlp = Tlp.GREEN
    brand_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Brands of your own member."
    )
    categories: list[str] = strawberry.field(default_factory=list)
    jurisdictions: list[str] = strawberry.field(
        default_factory=list, description="ISO 3166-1 alpha-2 codes."
    )
    languages: list[str] = strawberry.field(
        default_factory=list, description="BCP 47 language tags."
    )
    audience: str | None = strawberry.field(
        default=None,
        description='E.g. "alliance=FULL, region:EU=ANONYMOUS"; null: your policy\'s default. '
        "MATCH_ONLY is refused: an article is read, never matched.",
    )

    def to_domain(self) -> ArticleDraft:
        return ArticleDraft(
            kind=self.kind,
            title=self.title,
            body=self.body,
            tlp=self.tlp,
            brand_ids=require_ids(self.brand_ids, "Brand", field="brandIds"),
            categories=tuple(self.categories),
            jurisdictions=tuple(self.jurisdictions),
            languages=tuple(self.languages),
            audience=parse_requested_audience(self.audience),
        )


@strawberry.type
class ArticleCreatePayload:
    errors: list[ArticleCreateError]
    article: ArticleType | None = None


async def resolve(info: Info, input: ArticleCreateInput) -> ArticleCreatePayload:
    async def operation(session: AsyncSession) -> dict[str, Any]:
        viewer = info.context.viewer
        created = await article_service.create(session, viewer=viewer, draft=input.to_domain())
        return {"article": await article_as_viewer(session, viewer, created.id)}

    payload: ArticleCreatePayload = await run_mutation(
        info, payload=ArticleCreatePayload, error=ArticleCreateError, operation=operation
    )
    return payload


article_create = mutation_field(
    resolve,
    capability=requires(Scope.EXPERTISE_WRITE),
    description="Write an article of your member (version 1).",
    payload=ArticleCreatePayload,
    error=ArticleCreateError,
)
