"""Infringer networks stop at what the viewer may see."""

from __future__ import annotations

import uuid

from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

NETWORK = """query($id: ID!, $depth: Int!) { infringerNetwork(id: $id, depth: $depth) {
  truncated indicators { id owner { label } } links { source { id } target { id } } } }"""


async def test_a_network_never_passes_through_an_invisible_record(
    api: Api, world: World, intel: Intel
) -> None:
    # given a chain a - b - hidden - d, where `hidden` is shared with EU only
    owner = await world.member(region="EU")
    a = await intel.indicator(owner, "alliance=ANONYMOUS")
    b = await intel.indicator(owner, "alliance=FULL")
    hidden = await intel.indicator(owner, "region:EU=FULL")
    d = await intel.indicator(owner, "alliance=FULL")
    for source, target in [(a, b), (b, hidden), (hidden, d)]:
        await intel.link(owner, source, target)
    ids = {r.id: to_global_id("Indicator", r.id) for r in (a, b, hidden, d)}

    # when a CN member and an EU member ask for the network three links deep
    cn = world.token(await world.user(await world.member(region="CN")))
    eu = world.token(await world.user(await world.member(region="EU")))
    seen_by_cn = await api.query(NETWORK, {"id": ids[a.id], "depth": 3}, token=cn)
    seen_by_eu = await api.query(NETWORK, {"id": ids[a.id], "depth": 3}, token=eu)

    # then CN sees a and b only; EU sees the whole chain
    cn_network = seen_by_cn["infringerNetwork"]
    assert [i["id"] for i in cn_network["indicators"]] == [ids[a.id], ids[b.id]]
    assert cn_network["links"] == [{"source": {"id": ids[a.id]}, "target": {"id": ids[b.id]}}]
    assert {i["id"] for i in seen_by_eu["infringerNetwork"]["indicators"]} == set(ids.values())
    # and an invisible start answers like a missing one
    hidden_start = await api.query(NETWORK, {"id": ids[hidden.id], "depth": 1}, token=cn)
    missing = await api.query(
        NETWORK, {"id": to_global_id("Indicator", uuid.uuid4()), "depth": 1}, token=cn
    )
    assert hidden_start == missing == {"infringerNetwork": None}


async def test_depth_is_bounded(api: Api, world: World, intel: Intel) -> None:
    owner = await world.member()
    record = await intel.indicator(owner)
    token = world.token(await world.user(owner))

    errors = await api.errors(
        NETWORK, {"id": to_global_id("Indicator", record.id), "depth": 4}, token=token
    )

    assert errors[0]["extensions"] == {"code": "VALIDATION", "field": "depth"}
