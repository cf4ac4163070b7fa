"""The article list and full-text search: filters, pages and counts, for one viewer.

Both read through `reads.visible_select` on a viewer session, so an article the viewer
may not read is neither listed, ranked nor counted. The list is ordered by last change
(keyset pages); a search by rank (bm25 on SQLite, ts_rank on PostgreSQL: a title hit
above a body hit), in pages of a ranked list (offset cursors: a rank is not a stable key).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    column,
    func,
    literal_column,
    select,
    table,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles.drafts import tag_values
from alliance.articles.models import Article, ArticleTag
from alliance.articles.query import SearchQuery, parse_query
from alliance.articles.reads import (
    VisibleArticle,
    materialize,
    may_read,
    owner_in_region,
    visible_select,
)
from alliance.articles.search_index import CONFIG, FTS_TABLE, VECTOR_COLUMN
from alliance.articles.vocabulary import ArticleKind, ArticleStatus, TagKind
from alliance.audit.reads import ReadLog
from alliance.errors import InvalidInput
from alliance.indicators.reads import owner_named
from alliance.pagination import Page, decode_cursor, encode_cursor, require_page_size
from sharing import Viewer

_BAD_CURSOR = "This cursor is not one the service issued."


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ArticleFilter:
    """Every field narrows the list; None (or empty) leaves it open."""

    kinds: tuple[ArticleKind, ...] = ()
    brand_id: uuid.UUID | None = None
    category: str | None = None
    jurisdiction: str | None = None
    language: str | None = None
    owner_region: str | None = None
    status: ArticleStatus | None = None


def _has_tag(kind: TagKind, value: str) -> ColumnElement[bool]:
    return (
        select(ArticleTag.article_id)
        .where(
            ArticleTag.article_id == Article.id,
            ArticleTag.kind == kind,
            ArticleTag.value == value,
        )
        .exists()
    )


def _one_tag(kind: TagKind, value: str) -> str:
    return tag_values(kind, (value,))[0]


def _conditions(viewer: Viewer, wanted: ArticleFilter) -> list[ColumnElement[bool]]:
    candidates: list[tuple[Any, Callable[[Any], ColumnElement[bool]]]] = [
        (wanted.kinds or None, Article.kind.in_),
        # A brand names its member: only articles whose owner is named may match one.
        (wanted.brand_id, lambda v: _has_tag(TagKind.BRAND, str(v)) & owner_named(viewer, Article)),
        (wanted.category, lambda v: _has_tag(TagKind.CATEGORY, _one_tag(TagKind.CATEGORY, v))),
        (
            wanted.jurisdiction,
            lambda v: _has_tag(TagKind.JURISDICTION, _one_tag(TagKind.JURISDICTION, v)),
        ),
        (wanted.language, lambda v: _has_tag(TagKind.LANGUAGE, _one_tag(TagKind.LANGUAGE, v))),
        (wanted.owner_region, owner_in_region),
        (wanted.status, lambda v: Article.status == v),
    ]
    return [condition(value) for value, condition in candidates if value is not None]


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return int(await session.scalar(counted) or 0)


async def list_articles(
    session: AsyncSession,
    *,
    viewer: Viewer,
    reads: ReadLog,
    wanted: ArticleFilter,
    first: int = 50,
    after: str | None = None,
) -> Page[VisibleArticle]:
    """A page of the articles the viewer may read, latest change first, and their count."""
    require_page_size(first)
    if not may_read(viewer):
        return Page(items=[], cursors=[], has_next_page=False, total_count=0)
    query = visible_select(viewer).where(*_conditions(viewer, wanted))
    total = await _count(session, query.with_only_columns(Article.id))
    key = decode_cursor(after, size=2)
    if key is not None:
        try:
            bound = tuple_(dt.datetime.fromisoformat(key[0]), uuid.UUID(key[1]))
        except ValueError:
            raise InvalidInput(_BAD_CURSOR, field="after") from None
        query = query.where(tuple_(Article.updated_at, Article.id) < bound)
    ordering = (Article.updated_at.desc(), Article.id.desc())
    rows = (await session.execute(query.order_by(*ordering).limit(first + 1))).all()
    items = await materialize(session, viewer, rows[:first])
    reads.note("articles", "Article", (i.article.id for i in items))
    cursors = [encode_cursor([i.article.updated_at.isoformat(), str(i.article.id)]) for i in items]
    return Page(items=items, cursors=cursors, has_next_page=len(rows) > first, total_count=total)


@dataclasses.dataclass(frozen=True, slots=True)
class SearchHit:
    """A search result: the article, its rank (higher is better) and a snippet of its
    body with each matched word between `**` (plain text, not HTML)."""

    item: VisibleArticle
    rank: float
    snippet: str


_FTS = table(FTS_TABLE, column("rowid"))
MARK = "**"
_MATCH_MARK = "\x01"  # never in a body: control characters are refused at the edge


@dataclasses.dataclass(frozen=True, slots=True)
class _Ranking:
    conditions: list[ColumnElement[bool]]
    rank: ColumnElement[Any]  # higher is better
    snippet: ColumnElement[Any]
    joined: Any  # a table to join on the row id, or None


def _ranking(dialect: str, query: SearchQuery) -> _Ranking:
    if dialect == "postgresql":
        vector: ColumnElement[Any] = literal_column(f"articles.{VECTOR_COLUMN}")
        tsquery = func.websearch_to_tsquery(CONFIG, query.websearch())
        options = f"StartSel={MARK}, StopSel={MARK}, MaxWords=30, MinWords=10"
        snippet = func.ts_headline(CONFIG, Article.body, tsquery, options)
        return _Ranking([vector.op("@@")(tsquery)], func.ts_rank(vector, tsquery), snippet, None)
    fts: ColumnElement[Any] = literal_column(FTS_TABLE)
    snippet = func.snippet(fts, 1, MARK, MARK, "…", 24)
    # The matches in the row itself, a title match worth ten in the body. Not bm25: its
    # score depends on every row of the index, those the viewer may not read included, so
    # a rank would tell how many hidden articles hold a word (invariant 1).
    rank = 10 * _matches(fts, 0) + _matches(fts, 1)
    return _Ranking([fts.op("MATCH")(query.fts5())], rank, snippet, _FTS)


def _matches(fts: ColumnElement[Any], column: int) -> ColumnElement[Any]:
    """How many phrase matches FTS5 marks in `column` of the matched row."""
    marked = func.highlight(fts, column, _MATCH_MARK, "")
    return func.length(marked) - func.length(func.replace(marked, _MATCH_MARK, ""))


async def search_articles(
    session: AsyncSession,
    *,
    viewer: Viewer,
    reads: ReadLog,
    text: str,
    wanted: ArticleFilter,
    first: int = 20,
    after: str | None = None,
) -> Page[SearchHit]:
    """The articles the viewer may read that match `text` (docs/articles.md for the
    syntax), best first, and how many match in all. Text without a word matches none."""
    require_page_size(first)
    parsed = parse_query(text)
    offset = _offset(after)
    if parsed is None or not may_read(viewer):
        return Page(items=[], cursors=[], has_next_page=False, total_count=0)
    ranking = _ranking(session.get_bind().dialect.name, parsed)
    query = visible_select(viewer)
    if ranking.joined is not None:
        joined = ranking.joined
        query = query.join(joined, joined.c.rowid == literal_column("articles.rowid"))
    query = query.where(*ranking.conditions, *_conditions(viewer, wanted))
    total = await _count(session, query.with_only_columns(Article.id))
    ranked = query.add_columns(ranking.rank.label("rank"), ranking.snippet.label("snippet"))
    ranked = ranked.order_by(ranking.rank.desc(), Article.id)
    rows = (await session.execute(ranked.offset(offset).limit(first + 1))).all()
    items = await materialize(session, viewer, rows[:first])
    reads.note("articleSearch", "Article", (i.article.id for i in items))
    hits = [
        SearchHit(item, float(row.rank), str(row.snippet or ""))
        for item, row in zip(items, rows, strict=False)
    ]
    cursors = [encode_cursor([str(offset + n + 1)]) for n in range(len(hits))]
    return Page(items=hits, cursors=cursors, has_next_page=len(rows) > first, total_count=total)


def _offset(after: str | None) -> int:
    key = decode_cursor(after, size=1)
    if key is None:
        return 0
    if not key[0].isdigit() or int(key[0]) > 10_000:
        raise InvalidInput(_BAD_CURSOR, field="after")
    return int(key[0])


__all__ = ["ArticleFilter", "SearchHit", "list_articles", "search_articles"]
