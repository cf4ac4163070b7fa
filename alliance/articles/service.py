"""Writing articles: create, edit (a new version), retract, share. Only the owner writes.

Another member's article, visible or not, gets the same `NotFound` as a missing one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import require_scope
from alliance.articles.audience import store_audience
from alliance.articles.drafts import (
    ArticleChanges,
    ArticleDraft,
    require_body,
    require_title,
    tag_values,
)
from alliance.articles.models import Article, ArticleTag, ArticleVersion
from alliance.articles.vocabulary import ArticleStatus, TagKind
from alliance.audit import service as audit_service
from alliance.brands.models import Brand
from alliance.db import utcnow
from alliance.errors import Forbidden, IllegalTransition, NotFound
from alliance.indicators.rules import require_own_brands
from sharing import Scope, Viewer
from sharing.audience import Audience, format_audience, parse_audience


def require_writer(viewer: Viewer) -> uuid.UUID:
    """The viewer's member, if it may write articles (`expertise:write`, an active member
    that accepted the agreement); else `Forbidden`."""
    require_scope(viewer, Scope.EXPERTISE_WRITE)
    if viewer.member_id is None or not viewer.can_read_shared:
        raise Forbidden("Only an active member that accepted the agreement writes articles.")
    return viewer.member_id


async def _brand_tags(
    session: AsyncSession, owner: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[str]:
    wanted = set(ids)
    if not wanted:
        return []
    found = await session.scalars(
        select(Brand.id).where(Brand.id.in_(wanted), Brand.member_id == owner)
    )
    require_own_brands(wanted, found)
    return [str(brand) for brand in dict.fromkeys(ids)]


async def _write_tags(
    session: AsyncSession, article_id: uuid.UUID, kind: TagKind, values: list[str]
) -> None:
    await session.execute(
        delete(ArticleTag).where(ArticleTag.article_id == article_id, ArticleTag.kind == kind)
    )
    if values:
        rows = [{"article_id": article_id, "kind": kind, "value": value} for value in values]
        await session.execute(insert(ArticleTag).values(rows))


async def _tags(
    session: AsyncSession,
    article: Article,
    *,
    brand_ids: Sequence[uuid.UUID] | None,
    texts: dict[TagKind, tuple[str, ...] | None],
) -> None:
    # Every value is checked before the first is written: a bad one writes nothing.
    checked = {
        kind: tag_values(kind, values) for kind, values in texts.items() if values is not None
    }
    if brand_ids is not None:
        checked[TagKind.BRAND] = await _brand_tags(session, article.owner_member_id, brand_ids)
    await session.flush()
    for kind, values in checked.items():
        await _write_tags(session, article.id, kind, values)


def _version(article: Article, viewer: Viewer) -> ArticleVersion:
    return ArticleVersion(
        article_id=article.id,
        number=article.version,
        title=article.title,
        body=article.body,
        author_id=viewer.principal_id,
    )


async def create(session: AsyncSession, *, viewer: Viewer, draft: ArticleDraft) -> Article:
    """A new article (version 1) owned by the viewer's member, with its effective audience."""
    owner = require_writer(viewer)
    article = Article(
        id=uuid.uuid4(),
        owner_member_id=owner,
        author_id=viewer.principal_id,
        kind=draft.kind,
        title=require_title(draft.title),
        body=require_body(draft.body),
        version=1,
        status=ArticleStatus.PUBLISHED,
        tlp=draft.tlp,
    )
    session.add(article)
    await _tags(
        session,
        article,
        brand_ids=draft.brand_ids,
        texts={
            TagKind.CATEGORY: draft.categories,
            TagKind.JURISDICTION: draft.jurisdictions,
            TagKind.LANGUAGE: draft.languages,
        },
    )
    await store_audience(session, article, draft.audience)
    session.add(_version(article, viewer))
    _audit(session, viewer, article, "article.create")
    return article


async def require_own(session: AsyncSession, *, viewer: Viewer, article_id: uuid.UUID) -> Article:
    """The viewer's member's own article, locked for update; `NotFound` for any other id."""
    owner = require_writer(viewer)
    article = await session.scalar(
        select(Article)
        .where(Article.id == article_id, Article.owner_member_id == owner)
        .with_for_update()
    )
    if article is None:
        raise NotFound("article")
    return article


def _require_published(article: Article, what: str) -> None:
    if article.status is ArticleStatus.RETRACTED:
        raise IllegalTransition(f"A retracted article cannot be {what}.", field="id")


async def update(
    session: AsyncSession, *, viewer: Viewer, article_id: uuid.UUID, changes: ArticleChanges
) -> Article:
    """Edit an own published article; a changed title or body is a new version (the old
    ones are kept). None keeps a field."""
    article = await require_own(session, viewer=viewer, article_id=article_id)
    _require_published(article, "edited")
    title = article.title if changes.title is None else require_title(changes.title)
    body = article.body if changes.body is None else require_body(changes.body)
    await _tags(
        session,
        article,
        brand_ids=changes.brand_ids,
        texts={
            TagKind.CATEGORY: changes.categories,
            TagKind.JURISDICTION: changes.jurisdictions,
            TagKind.LANGUAGE: changes.languages,
        },
    )
    if changes.kind is not None and changes.kind is not article.kind:
        article.kind = changes.kind
        # The policy's defaults and ceilings are per kind: the audience follows.
        await store_audience(session, article, _requested(article))
    if (title, body) != (article.title, article.body):
        article.title, article.body = title, body
        article.version += 1
        article.author_id = viewer.principal_id
        session.add(_version(article, viewer))
    article.updated_at = utcnow()
    _audit(session, viewer, article, "article.update", {"version": article.version})
    return article


def _requested(article: Article) -> Audience | None:
    stored = article.requested_audience
    return None if stored is None else parse_audience(stored)


async def retract(session: AsyncSession, *, viewer: Viewer, article_id: uuid.UUID) -> Article:
    """PUBLISHED → RETRACTED: the article and its attachments leave every other view;
    its owner still reads it."""
    article = await require_own(session, viewer=viewer, article_id=article_id)
    _require_published(article, "retracted again")
    now = utcnow()
    article.status = ArticleStatus.RETRACTED
    article.retracted_at = now
    article.updated_at = now
    _audit(session, viewer, article, "article.retract")
    return article


async def share(
    session: AsyncSession, *, viewer: Viewer, article_id: uuid.UUID, audience: Audience | None
) -> tuple[Article, Audience]:
    """Give an own article a new audience (None: the policy's default); returns the
    effective audience stored. MATCH_ONLY is refused (`audience`)."""
    article = await require_own(session, viewer=viewer, article_id=article_id)
    _require_published(article, "shared")
    effective = await store_audience(session, article, audience)
    article.updated_at = utcnow()
    _audit(session, viewer, article, "article.share", {"audience": format_audience(effective)})
    return article, effective


def _audit(
    session: AsyncSession,
    viewer: Viewer,
    article: Article,
    action: str,
    details: dict[str, object] | None = None,
) -> None:
    audit_service.record(
        session,
        viewer=viewer,
        action=action,
        target_type="Article",
        target_id=article.id,
        target_member_id=article.owner_member_id,
        details=details,
    )
