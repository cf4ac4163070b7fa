"""Attachments of articles: upload by the owner, download by whoever may read the article.

An upload is refused unless its bytes are a PNG, JPEG, WebP, GIF or PDF, as sniffed from
the bytes themselves (`filetype`), and a declared content type that disagrees with them
is refused too (`contentType`). A download of an attachment whose article the viewer may
not read is the same `NotFound` as a missing one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid

import filetype
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles import reads
from alliance.articles.models import Attachment
from alliance.articles.service import require_own
from alliance.articles.storage import AttachmentStore
from alliance.articles.vocabulary import ArticleStatus
from alliance.audit import service as audit_service
from alliance.errors import IllegalTransition, InvalidInput, NotFound
from sharing import Viewer

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PER_ARTICLE = 20
ALLOWED_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"})
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


@dataclasses.dataclass(frozen=True, slots=True)
class Upload:
    """What a caller sends: the bytes, a file name and the type it says they are."""

    content: bytes
    filename: str
    declared_type: str | None = None


def sniff(content: bytes, declared_type: str | None) -> str:
    """The content type of `content` among ALLOWED_TYPES; an `InvalidInput` on `content`
    for any other, and on `contentType` when the caller declared another type."""
    found = filetype.guess_mime(content)
    if found not in ALLOWED_TYPES:
        raise InvalidInput("Attachments are PNG, JPEG, WebP, GIF or PDF files.", field="content")
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared and declared not in {found, "application/octet-stream"}:
        message = f"The bytes are {found}, not {declared}."
        raise InvalidInput(message, field="contentType")
    return str(found)


def clean_filename(name: str) -> str:
    """A file name safe for a Content-Disposition header: no path, no control or
    quoting characters, at most 200 characters; "attachment" when nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")[:200]
    return cleaned or "attachment"


async def attach(
    session: AsyncSession,
    *,
    viewer: Viewer,
    article_id: uuid.UUID,
    upload: Upload,
    store: AttachmentStore,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Attachment:
    """Attach a file to an own, published article (the owner member only)."""
    article = await require_own(session, viewer=viewer, article_id=article_id)
    if article.status is ArticleStatus.RETRACTED:
        raise IllegalTransition("A retracted article takes no attachment.", field="id")
    if len(upload.content) > max_bytes:
        raise InvalidInput(f"An attachment has at most {max_bytes:,} bytes.", field="content")
    content_type = sniff(upload.content, upload.declared_type)
    held = await session.scalars(select(Attachment.id).where(Attachment.article_id == article.id))
    if len(held.all()) >= MAX_PER_ARTICLE:
        raise InvalidInput(f"An article has at most {MAX_PER_ARTICLE} attachments.", field="id")
    digest = hashlib.sha256(upload.content).hexdigest()
    await store.put(session, digest, upload.content)
    attachment = Attachment(
        id=uuid.uuid4(),
        article_id=article.id,
        filename=clean_filename(upload.filename),
        content_type=content_type,
        size=len(upload.content),
        sha256=digest,
    )
    session.add(attachment)
    audit_service.record(
        session,
        viewer=viewer,
        action="article.attach",
        target_type="Article",
        target_id=article.id,
        target_member_id=article.owner_member_id,
        details={"attachment": str(attachment.id), "sha256": digest},
    )
    return attachment


async def download(
    session: AsyncSession, *, viewer: Viewer, attachment_id: uuid.UUID, store: AttachmentStore
) -> tuple[Attachment, bytes]:
    """The attachment and its bytes, if the viewer may read its article; else `NotFound`
    (the same for a missing attachment, another's retracted article, an invisible one)."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("attachment")
    visible = await reads.by_ids(session, viewer=viewer, ids=[attachment.article_id])
    content = None if not visible else await store.get(session, attachment.sha256)
    if content is None:
        raise NotFound("attachment")
    return attachment, content
