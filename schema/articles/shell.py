"""What every article mutation shares: re-reading the result as the viewer."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles import reads as article_reads
from schema.articles.types import ArticleType
from sharing import Viewer


async def article_as_viewer(
    session: AsyncSession, viewer: Viewer, article_id: uuid.UUID
) -> ArticleType | None:
    """The article as the viewer reads it after the write (None without `expertise:read`)."""
    await session.flush()
    found = await article_reads.by_ids(session, viewer=viewer, ids=[article_id])
    shown = found.get(article_id)
    return None if shown is None else ArticleType.from_visible(shown)
