"""Indicators through the API: an owner and another member see the same record differently."""

from __future__ import annotations

from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

LIST = """query { indicators(first: 10) { totalCount edges { node {
  id value isOwn audience externalId owner { id name region label } brands { name }
  corroboration { members sightings { kind count } }
  sightings { kind memberId } links { kind source { id } target { id } } } } } }"""


async def test_owner_and_anonymous_viewer_see_the_same_record_differently(
    api: Api, world: World, intel: Intel
) -> None:
    # given an EU owner sharing a record anonymously with the alliance
    owner = await world.member(region="EU")
    other = await world.member(region="CN")
    record = await intel.indicator(owner, "alliance=ANONYMOUS", external_id="case-1")
    await intel.sighting(other, record)

    # when both list indicators
    mine = await api.query(LIST, token=world.token(await world.user(owner)))
    theirs = await api.query(LIST, token=world.token(await world.user(other)))

    # then the owner sees its record named, with its audience; the other sees a region only
    own_node = mine["indicators"]["edges"][0]["node"]
    assert own_node["isOwn"] is True
    assert own_node["audience"] == "alliance=ANONYMOUS"
    assert own_node["externalId"] == "case-1"
    assert own_node["owner"]["name"] == owner.legal_name
    other_node = theirs["indicators"]["edges"][0]["node"]
    assert other_node["id"] == to_global_id("Indicator", record.id)
    assert other_node["owner"] == {
        "id": None,
        "name": None,
        "region": "EU",
        "label": "a member in EU",
    }
    assert other_node["audience"] is None
    assert other_node["externalId"] is None
    assert other_node["brands"] is None
    assert other_node["corroboration"]["sightings"] == [{"kind": "SEEN", "count": 1}]
    assert other_node["sightings"][0]["memberId"] == to_global_id("Member", other.id)
    assert own_node["sightings"][0]["memberId"] is None
