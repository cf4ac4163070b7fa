"""GraphQL types of articles and their attachments. Scalars are plain attributes; the
versions (owner only) come through a per-request DataLoader."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry import relay

from alliance.articles.models import ArticleVersion, Attachment
from alliance.articles.reads import VisibleArticle
from alliance.articles.render import render_html
from alliance.articles.vocabulary import ArticleKind, ArticleStatus, TagKind
from alliance.members.departures import FORMER_MEMBER
from schema.articles.loaders import versions_by_article_loader
from schema.brands.types import BrandType
from schema.context import Info
from schema.enums import Tlp
from schema.ids import to_global_id
from sharing.audience import format_audience

strawberry.enum(ArticleKind, description="What an article is.")
strawberry.enum(ArticleStatus, description="PUBLISHED, or RETRACTED (its owner alone sees it).")


def download_path(attachment_id: uuid.UUID) -> str:
    """Where an attachment is downloaded (api/attachments.py)."""
    return f"/attachments/{attachment_id}"


@strawberry.type(description="Who wrote an article: named at FULL level, else only a region.")
class ArticleOwner:
    id: strawberry.ID | None = strawberry.field(description="The owner member; null unless named.")
    name: str | None = strawberry.field(description="The owner's legal name; null unless named.")
    region: str | None = strawberry.field(
        description="The owner's home region; null once the owner has left the alliance."
    )
    label: str = strawberry.field(
        description='The name, "a member in <region>", or "a former member".'
    )


@strawberry.type(name="ArticleAttachment", description="A file attached to an article.")
class ArticleAttachmentType:
    id: strawberry.ID = strawberry.field(description="The attachment's global id.")
    filename: str = strawberry.field(description="The file name, cleaned of any path.")
    content_type: str = strawberry.field(description="The type sniffed from the bytes.")
    size: int = strawberry.field(description="Bytes.")
    sha256: str = strawberry.field(description="The bytes' SHA-256, lower-case hex.")
    download_url: str = strawberry.field(
        description="GET it with a bearer token holding `expertise:read` (a path on this service)."
    )

    @classmethod
    def from_model(cls, attachment: Attachment) -> ArticleAttachmentType:
        return cls(
            id=strawberry.ID(to_global_id("ArticleAttachment", attachment.id)),
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
            download_url=download_path(attachment.id),
        )


@strawberry.type(description="One version of an article, as written (owner only).")
class ArticleVersionType:
    number: int
    title: str
    body: str = strawberry.field(description="Markdown.")
    created_at: dt.datetime
    author_id: strawberry.ID = strawberry.field(description="The principal that wrote it.")

    @classmethod
    def from_model(cls, version: ArticleVersion) -> ArticleVersionType:
        return cls(
            number=version.number,
            title=version.title,
            body=version.body,
            created_at=version.created_at,
            author_id=strawberry.ID(str(version.author_id)),
        )


def _owner(item: VisibleArticle) -> ArticleOwner:
    if item.former or item.owner_region is None:
        label = FORMER_MEMBER
    elif item.owner_id is not None and item.owner_name:
        label = item.owner_name
    else:
        label = f"a member in {item.owner_region}"
    return ArticleOwner(
        id=None if item.owner_id is None else strawberry.ID(to_global_id("Member", item.owner_id)),
        name=item.owner_name,
        region=item.owner_region,
        label=label,
    )


@strawberry.type(name="Article", description="A member's know-how, in Markdown.")
class ArticleType(relay.Node):
    id: relay.NodeID[str]
    kind: ArticleKind
    title: str
    body: str = strawberry.field(description="The current version's body, in Markdown.")
    version: int = strawberry.field(description="The current version's number (1 and up).")
    status: ArticleStatus
    tlp: Tlp
    owner: ArticleOwner
    is_own: bool = strawberry.field(description="Whether your member owns this article.")
    author_id: strawberry.ID | None = strawberry.field(
        description="The principal that wrote the current version; null unless the owner is named."
    )
    brands: list[BrandType] | None = strawberry.field(
        description="Brands concerned; null unless the owner is named to you."
    )
    categories: list[str] = strawberry.field(description="Product categories (lower case).")
    jurisdictions: list[str] = strawberry.field(description="ISO 3166-1 alpha-2 codes.")
    languages: list[str] = strawberry.field(description="BCP 47 language tags.")
    audience: str | None = strawberry.field(
        description="The effective audience stored (text form); owner only."
    )
    attachments: list[ArticleAttachmentType]
    created_at: dt.datetime
    updated_at: dt.datetime
    article_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The body as sanitised HTML (no script, no raw HTML).")  # type: ignore[untyped-decorator]
    def body_html(self) -> str:
        return render_html(self.body)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Every version, oldest first; null unless your member owns the article."
    )
    async def versions(self, info: Info) -> list[ArticleVersionType] | None:
        loader = info.context.loader("article_versions", versions_by_article_loader)
        found: list[ArticleVersion] | None = await loader.load(self.article_id)
        return None if found is None else [ArticleVersionType.from_model(v) for v in found]

    @classmethod
    def from_visible(cls, item: VisibleArticle) -> ArticleType:
        a = item.article
        return cls(
            id=str(a.id),
            kind=a.kind,
            title=a.title,
            body=a.body,
            version=a.version,
            status=a.status,
            tlp=a.tlp,
            owner=_owner(item),
            is_own=item.is_own,
            author_id=None if item.author_id is None else strawberry.ID(str(item.author_id)),
            brands=None if item.brands is None else [BrandType.from_model(b) for b in item.brands],
            categories=item.tags[TagKind.CATEGORY],
            jurisdictions=item.tags[TagKind.JURISDICTION],
            languages=item.tags[TagKind.LANGUAGE],
            audience=None if item.audience is None else format_audience(item.audience),
            attachments=[ArticleAttachmentType.from_model(x) for x in item.attachments],
            created_at=a.created_at,
            updated_at=a.updated_at,
            article_id=a.id,
        )
