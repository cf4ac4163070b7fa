"""The `articles` connection and `articleSearch`."""

from __future__ import annotations

import uuid

import strawberry

from alliance.articles.search import ArticleFilter, SearchHit, list_articles, search_articles
from alliance.articles.vocabulary import ArticleKind, ArticleStatus
from schema.articles.types import ArticleType
from schema.capabilities import query_field, requires
from schema.connection import Connection, connection_from_page
from schema.context import Info
from schema.ids import parse_global_id
from sharing import Scope

NO_BRAND = uuid.UUID(int=0)


@strawberry.input(description="Every field narrows the list; leave it out to leave it open.")
class ArticleFilterInput:
    kinds: list[ArticleKind] | None = None
    brand_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only articles whose owner is named to you can match a brand."
    )
    category: str | None = strawberry.field(default=None, description="A product category.")
    jurisdiction: str | None = strawberry.field(
        default=None, description="An ISO 3166-1 alpha-2 code."
    )
    language: str | None = strawberry.field(default=None, description="A BCP 47 language tag.")
    owner_region: str | None = strawberry.field(
        default=None, description="The owner's home region (not for former members)."
    )
    status: ArticleStatus | None = strawberry.field(
        default=None, description="RETRACTED finds only your own retracted articles."
    )

    def to_domain(self) -> ArticleFilter:
        brand = None
        if self.brand_id is not None:
            parsed = parse_global_id(str(self.brand_id))
            # An id that is not a brand's matches nothing, like an unknown brand.
            brand = parsed[1] if parsed is not None and parsed[0] == "Brand" else NO_BRAND
        return ArticleFilter(
            kinds=tuple(self.kinds or ()),
            brand_id=brand,
            category=self.category,
            jurisdiction=self.jurisdiction,
            language=self.language,
            owner_region=self.owner_region,
            status=self.status,
        )


@strawberry.type(description="An article found by a search, and how well it matched.")
class ArticleSearchResult:
    article: ArticleType
    rank: float = strawberry.field(description="Higher is a better match (title above body).")
    snippet: str = strawberry.field(
        description=(
            "A few words of the body around the matches, each matched word between `**`. "
            "Plain text from the Markdown body: escape or sanitise it before showing it."
        )
    )

    @classmethod
    def from_hit(cls, hit: SearchHit) -> ArticleSearchResult:
        return cls(article=ArticleType.from_visible(hit.item), rank=hit.rank, snippet=hit.snippet)


def _filter(given: ArticleFilterInput | None) -> ArticleFilter:
    return ArticleFilter() if given is None else given.to_domain()


async def resolve_articles(
    info: Info,
    first: int = 20,
    after: str | None = None,
    filter: ArticleFilterInput | None = None,
) -> Connection[ArticleType]:
    async with info.context.session() as session:
        page = await list_articles(
            session,
            viewer=info.context.viewer,
            reads=info.context.reads,
            wanted=_filter(filter),
            first=first,
            after=after,
        )
    return connection_from_page(page, ArticleType.from_visible)


async def resolve_article_search(
    info: Info,
    query: str,
    first: int = 20,
    after: str | None = None,
    filter: ArticleFilterInput | None = None,
) -> Connection[ArticleSearchResult]:
    async with info.context.session() as session:
        page = await search_articles(
            session,
            viewer=info.context.viewer,
            reads=info.context.reads,
            text=query,
            wanted=_filter(filter),
            first=first,
            after=after,
        )
    return connection_from_page(page, ArticleSearchResult.from_hit)


articles = query_field(
    resolve_articles,
    capability=requires(Scope.EXPERTISE_READ),
    description="Articles you may read, latest change first (`first` at most 100).",
)
article_search = query_field(
    resolve_article_search,
    capability=requires(Scope.EXPERTISE_READ),
    description=(
        "Full-text search of the articles you may read, best match first: words are all "
        'required, "a phrase" in quotes, `or` between alternatives, `-word` excludes.'
    ),
)
