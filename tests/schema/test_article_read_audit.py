"""Reads of articles are audited like reads of indicators: which principal received which
articles, through which operation (lists, search, node, attachment downloads)."""

from __future__ import annotations

from sqlalchemy import select

from alliance.articles.samples import png
from alliance.audit.models import ReadEvent
from schema.ids import to_global_id
from tests.fixtures.articles import Library
from tests.fixtures.graphql import Api
from tests.fixtures.world import World


async def test_article_reads_are_audited(api: Api, world: World, library: Library) -> None:
    owner = await world.member(region="EU")
    shared = await library.article(owner, "alliance=FULL", body="hologram")
    await library.article(owner, "", body="hologram")  # the reader never receives it
    attachment = await library.attach(owner, shared.id, png())
    reader = await world.user(await world.member(region="CN"))
    token = world.token(reader)
    query = """query($id: ID!) { articles { totalCount } articleSearch(query: "hologram") {
      totalCount } node(id: $id) { id } }"""
    await api.query(query, {"id": to_global_id("Article", shared.id)}, token=token)
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        await api.client.get(f"/attachments/{attachment.id}", headers=headers)
    ).status_code == 200
    async with world.db.session() as session:
        events = (
            await session.execute(
                select(ReadEvent.operation, ReadEvent.record_type, ReadEvent.record_ids).where(
                    ReadEvent.actor_id == reader.id
                )
            )
        ).all()
    assert sorted((op, kind, ids) for op, kind, ids in events) == [
        ("articleSearch", "Article", [str(shared.id)]),
        ("articles", "Article", [str(shared.id)]),
        ("attachment", "Article", [str(shared.id)]),
        ("node", "Article", [str(shared.id)]),
    ]
