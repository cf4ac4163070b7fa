"""Per-request DataLoaders of articles; each batch reads through the request's session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from alliance.articles import reads as article_reads
from alliance.articles.models import ArticleVersion
from schema.context import Context


def versions_by_article_loader(
    context: Context,
) -> DataLoader[uuid.UUID, list[ArticleVersion] | None]:
    """Each own article's versions (None for anyone else's article)."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[ArticleVersion] | None]:
        async with context.session() as session:
            found = await article_reads.own_versions(session, viewer=context.viewer, ids=ids)
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)
