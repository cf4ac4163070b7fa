"""Articles (shareable), their versions, tags and attachments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from alliance.articles.vocabulary import ArticleKind, ArticleStatus, TagKind
from alliance.db import Base, Timestamps, UuidPrimaryKey, utcnow
from sharing.audience import Tlp
from sharing.storage import Shareable, register_shareable


def _enum(cls: type[Any]) -> Enum:
    return Enum(cls, native_enum=False, length=32)


class Article(UuidPrimaryKey, Timestamps, Shareable, Base):
    """A member's know-how: a Markdown body, owned by one member, shared by audience.

    `title` and `body` are the current version's (also kept in `article_versions`); the
    full-text index follows them (the migration's triggers on SQLite, a generated
    column on PostgreSQL: alliance/articles/search.py).
    """

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_updated_at_id", "updated_at", "id"),
        Index("ix_articles_owner_member_id_id", "owner_member_id", "id"),
    )

    owner_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    kind: Mapped[ArticleKind] = mapped_column(_enum(ArticleKind))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ArticleStatus] = mapped_column(
        _enum(ArticleStatus), default=ArticleStatus.PUBLISHED
    )
    tlp: Mapped[Tlp] = mapped_column(_enum(Tlp))
    # As for indicators: the audience as asked for (NULL: the policy's default), the
    # policy version applied; re-application after a policy change starts from them.
    requested_audience: Mapped[str | None] = mapped_column(Text)
    policy_version: Mapped[int] = mapped_column(Integer, default=0)
    retracted_at: Mapped[dt.datetime | None]


register_shareable(Article)


class ArticleVersion(Base):
    """One version of an article as its author wrote it; every create and edit adds one."""

    __tablename__ = "article_versions"

    article_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ArticleTag(Base):
    """A brand, product category, jurisdiction or language of an article."""

    __tablename__ = "article_tags"
    __table_args__ = (Index("ix_article_tags_kind_value", "kind", "value", "article_id"),)

    article_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[TagKind] = mapped_column(_enum(TagKind), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)


class Attachment(UuidPrimaryKey, Base):
    """A file of an article: its bytes live in an `AttachmentStore` under `sha256`."""

    __tablename__ = "article_attachments"
    __table_args__ = (Index("ix_article_attachments_article_id", "article_id", "created_at"),)

    article_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AttachmentBlob(Base):
    """Attachment bytes, content-addressed, for the database store."""

    __tablename__ = "attachment_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
