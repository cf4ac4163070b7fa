"""TLP on articles, as on indicators: TLP:RED goes to named members only."""

from __future__ import annotations

from tests.fixtures.graphql import Api
from tests.fixtures.world import World

CREATE = """mutation($a: String) { articleCreate(input: {kind: CASE_STUDY, title: "Red",
  body: "Only for one member.", tlp: RED, audience: $a}) {
  errors { code field } article { tlp audience } } }"""


async def test_red_articles_go_to_named_members_only(api: Api, world: World) -> None:
    owner, named = await world.member(region="EU"), await world.member(region="CN")
    token = world.token(await world.user(owner))
    wide = await api.query(CREATE, {"a": "alliance=FULL"}, token=token)
    assert wide["articleCreate"] == {
        "errors": [{"code": "VALIDATION", "field": "audience"}],
        "article": None,
    }
    narrow = await api.query(CREATE, {"a": f"member:{named.id}=FULL"}, token=token)
    assert narrow["articleCreate"]["errors"] == []
    assert narrow["articleCreate"]["article"]["tlp"] == "RED"
    listed = "query { articles { edges { node { tlp title } } } }"
    assert (await api.query(listed, token=world.token(await world.user(named))))["articles"][
        "edges"
    ] == [{"node": {"tlp": "RED", "title": "Red"}}]
    other = world.token(await world.user(await world.member(region="CN")))
    assert (await api.query(listed, token=other))["articles"]["edges"] == []
