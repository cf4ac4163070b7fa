"""A member that leaves: WITHDRAW takes its articles (and attachments) out of every other
view; RETAIN keeps them, attributed to "a former member" with no trace of the member."""

from __future__ import annotations

import pytest

from alliance.articles.samples import png
from alliance.brands import service as brand_service
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER
from tests.fixtures.articles import Library
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

LEAVER = "Leaving Maison SpA"
OFFBOARD = """mutation($id: ID!, $d: DataDisposition!) {
  memberOffboard(id: $id, dataDisposition: $d) { errors { code } } }"""
PROBE = """query($id: ID!) {
  articles { totalCount edges { node { id owner { id name region label } authorId brands { name } } } }
  articleSearch(query: "hologram") { totalCount }
  byRegion: articles(filter: {ownerRegion: "EU"}) { totalCount }
  node(id: $id) { ... on Article { owner { id name region label } authorId
    attachments { downloadUrl } } } }"""


@pytest.mark.parametrize("disposition", ["WITHDRAW", "RETAIN"])
async def test_a_leaving_members_articles(
    api: Api, world: World, library: Library, disposition: str
) -> None:
    # given a member whose article (with a brand and a PNG) others read in full
    leaver = await world.member(LEAVER, region="EU")
    async with world.db.transaction() as session:
        brand = await brand_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=leaver.id, name="Leavebrand"
        )
    article = await library.article(
        leaver, "alliance=FULL", body="The hologram guide.", brand_ids=(brand.id,)
    )
    attachment = await library.attach(leaver, article.id, png())
    reader = world.token(await world.user(await world.member(region="CN")))
    variables = {"id": to_global_id("Article", article.id)}
    before = await api.query(PROBE, variables, token=reader)
    assert before["node"]["owner"]["name"] == LEAVER
    # when it is offboarded
    await Intel(world).suspend(leaver)
    admin = world.token(await world.alliance_admin())
    member_id = to_global_id("Member", leaver.id)
    done = await api.query(OFFBOARD, {"id": member_id, "d": disposition}, token=admin)
    assert done["memberOffboard"]["errors"] == []
    # then
    response = await api.post(PROBE, variables, token=reader)
    data = response.json()["data"]
    download = await api.client.get(
        f"/attachments/{attachment.id}", headers={"Authorization": f"Bearer {reader}"}
    )
    if disposition == "WITHDRAW":
        assert data["articles"]["totalCount"] == 0
        assert data["articleSearch"]["totalCount"] == 0
        assert data["node"] is None
        assert download.status_code == 404
        return
    assert data["articles"]["totalCount"] == 1
    assert data["articleSearch"]["totalCount"] == 1
    assert data["byRegion"]["totalCount"] == 0  # not selectable by its region any more
    assert data["node"]["owner"] == {
        "id": None,
        "name": None,
        "region": None,
        "label": "a former member",
    }
    assert data["node"]["authorId"] is None
    assert download.status_code == 200
    for trace in (LEAVER, member_id, str(leaver.id), "Leavebrand"):
        assert trace not in response.text
