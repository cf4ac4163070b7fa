"""Reading articles for a viewer: visibility decided in SQL, one statement per page.

Every query here runs on a viewer session (`sharing.session`), which adds the read
predicate to each ORM SELECT of `Article`. On top of it, this module adds only narrowing
rules: others' articles are shown while PUBLISHED; the owner, the author and the brands
are shown (and the brand filter applied) only where the viewer's level is FULL and the
owner has not left the alliance (`owner_named`, the indicators' rule, from the same
predicate builder); the owner's region only while it has not left
(alliance/members/departures.py). The owner sees its own articles, retracted ones too,
with their audience.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles.models import Article, ArticleTag, ArticleVersion, Attachment
from alliance.articles.vocabulary import ArticleStatus, TagKind
from alliance.brands.models import Brand
from alliance.indicators.reads import owner_named
from alliance.members.departures import has_left
from alliance.members.models import Member
from sharing import Scope, Viewer
from sharing.audience import Audience
from sharing.sql_lists import one_of
from sharing.storage import stored_audiences


@dataclasses.dataclass(frozen=True, slots=True)
class VisibleArticle:
    """An article as one viewer may see it.

    `owner_id`, `owner_name`, `author_id` and `brands` are None unless the viewer's level
    is FULL (or it owns the article) and the owner has not left; `former` marks a member
    that left with RETAIN ("a former member"). `audience` is for the owner only.
    """

    article: Article
    owner_id: uuid.UUID | None
    owner_name: str | None
    owner_region: str | None
    author_id: uuid.UUID | None
    brands: Sequence[Brand] | None
    tags: dict[TagKind, list[str]]
    attachments: Sequence[Attachment]
    audience: Audience | None
    former: bool = False

    @property
    def is_own(self) -> bool:
        return self.audience is not None


def _me(viewer: Viewer, entity: Any) -> ColumnElement[bool]:
    if viewer.member_id is None:
        return literal(False)
    return entity.owner_member_id == viewer.member_id  # type: ignore[no-any-return]


def shown(viewer: Viewer, entity: Any = Article) -> ColumnElement[bool]:
    """The domain rule on top of the read predicate: others' articles while PUBLISHED."""
    return or_(_me(viewer, entity), entity.status == ArticleStatus.PUBLISHED)


def may_read(viewer: Viewer) -> bool:
    """Whether the viewer holds the right to read articles at all (`expertise:read`)."""
    return viewer.has_scope(Scope.EXPERTISE_READ)


def visible_select(viewer: Viewer) -> Select[Any]:
    """Articles with the owner columns the viewer may see; filter and order it further.
    The statement joins `Member` on the owner."""
    named = owner_named(viewer, Article)
    left = has_left(Article.owner_member_id)
    return (
        select(
            Article,
            named.label("named"),
            case((named, Member.legal_name), else_=None).label("owner_name"),
            case((left, None), else_=Member.region_code).label("region_code"),
            left.label("former"),
        )
        .join(Member, Member.id == Article.owner_member_id)
        .where(shown(viewer))
    )


def owner_in_region(region: str) -> ColumnElement[bool]:
    """Articles whose visible owner region is `region` (the statement joins `Member`)."""
    return and_(Member.region_code == region, ~has_left(Article.owner_member_id))


async def _tags(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[TagKind, list[str]]]:
    found: dict[uuid.UUID, dict[TagKind, list[str]]] = {i: {k: [] for k in TagKind} for i in ids}
    if ids:
        rows = await session.execute(
            select(ArticleTag.article_id, ArticleTag.kind, ArticleTag.value)
            .where(one_of(ArticleTag.article_id, ids))
            .order_by(ArticleTag.value)
        )
        for article_id, kind, value in rows:
            found[article_id][TagKind(kind)].append(value)
    return found


async def _brands(session: AsyncSession, wanted: set[str]) -> dict[str, Brand]:
    ids = [uuid.UUID(value) for value in wanted]
    if not ids:
        return {}
    return {str(b.id): b for b in await session.scalars(select(Brand).where(one_of(Brand.id, ids)))}


async def _attachments(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Attachment]]:
    found: dict[uuid.UUID, list[Attachment]] = {i: [] for i in ids}
    if ids:
        rows = await session.scalars(
            select(Attachment)
            .where(one_of(Attachment.article_id, ids))
            .order_by(Attachment.created_at, Attachment.id)
        )
        for attachment in rows:
            found[attachment.article_id].append(attachment)
    return found


async def materialize(
    session: AsyncSession, viewer: Viewer, rows: Sequence[Any]
) -> list[VisibleArticle]:
    """Rows of `visible_select` as `VisibleArticle`s: four more statements at most.

    Only call it with rows of `visible_select` (tags and attachments are read by article
    id: the ids must already be visible)."""
    ids = [row.Article.id for row in rows]
    tags = await _tags(session, ids)
    named_brands = {v for row in rows if row.named for v in tags[row.Article.id][TagKind.BRAND]}
    brands = await _brands(session, named_brands)
    attachments = await _attachments(session, ids)
    own = [row.Article.id for row in rows if row.Article.owner_member_id == viewer.member_id]
    audiences = await stored_audiences(session, Article, own)
    return [_visible(row, tags, brands, attachments, audiences) for row in rows]


def _visible(
    row: Any,
    tags: dict[uuid.UUID, dict[TagKind, list[str]]],
    brands: dict[str, Brand],
    attachments: dict[uuid.UUID, list[Attachment]],
    audiences: dict[uuid.UUID, Audience],
) -> VisibleArticle:
    article: Article = row.Article
    named = bool(row.named)
    article_tags = tags[article.id]
    shown_brands = [brands[b] for b in article_tags[TagKind.BRAND] if b in brands]
    return VisibleArticle(
        article=article,
        owner_id=article.owner_member_id if named else None,
        owner_name=row.owner_name if named else None,
        owner_region=row.region_code,
        author_id=article.author_id if named else None,
        brands=shown_brands if named else None,
        tags=article_tags,
        attachments=attachments[article.id],
        audience=audiences.get(article.id),
        former=bool(row.former),
    )


async def by_ids(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, VisibleArticle]:
    """The articles among `ids` that the viewer may read; the others are absent (a
    missing article and an invisible one alike). Without `expertise:read`, none."""
    if not ids or not may_read(viewer):
        return {}
    rows = (await session.execute(visible_select(viewer).where(one_of(Article.id, ids)))).all()
    found = await materialize(session, viewer, rows)
    return {item.article.id: item for item in found}


async def own_versions(
    session: AsyncSession, *, viewer: Viewer, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ArticleVersion]]:
    """Every version of each of `ids` that the viewer's member owns, oldest first; the
    others (anyone else's, visible or not) are absent: only the owner reads old versions."""
    if not ids or viewer.member_id is None or not may_read(viewer):
        return {}
    own = select(Article.id).where(
        one_of(Article.id, ids), Article.owner_member_id == viewer.member_id
    )
    found: dict[uuid.UUID, list[ArticleVersion]] = {}
    rows = await session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id.in_(own))
        .order_by(ArticleVersion.article_id, ArticleVersion.number)
    )
    for version in rows:
        found.setdefault(version.article_id, []).append(version)
    return found
