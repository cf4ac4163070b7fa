from __future__ import annotations

from schema.ids import to_global_id
from tests.fixtures.articles import Library
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

READ = """query($q: String!) {
  articles { totalCount edges { node { id title kind version status owner { name label } } } }
  articleSearch(query: $q) { totalCount edges { node { rank article { id title bodyHtml } } } }
}"""


async def test_smoke(api: Api, world: World, library: Library) -> None:
    owner = await world.member(region="EU")
    other = await world.member(region="CN")
    article = await library.article(owner, body="Check the **hologram** on the box.")
    data = await api.query(READ, {"q": "hologram"}, token=world.token(await world.user(other)))
    assert data["articles"]["totalCount"] == 1
    assert data["articleSearch"]["totalCount"] == 1
    hit = data["articleSearch"]["edges"][0]["node"]
    assert hit["article"]["id"] == to_global_id("Article", article.id)
    assert "<strong>hologram</strong>" in hit["article"]["bodyHtml"]
