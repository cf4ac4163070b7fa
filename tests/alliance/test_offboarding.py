"""Offboarding decides what happens to a member's records (DESIGN §2): RETAIN keeps them
shared, attributed to "a former member"; WITHDRAW removes them from every other view."""

from __future__ import annotations

import pytest

from alliance.errors import Forbidden, IllegalTransition
from alliance.indicators.bulk import create_indicators
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize import IndicatorValue
from alliance.policies import service as policy_service
from schema.ids import to_global_id
from sharing import Role
from sharing.audience import Tlp, parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World

OFFBOARD = """mutation($id: ID!, $d: DataDisposition!) {
  memberOffboard(id: $id, dataDisposition: $d) { errors { code } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Indicator {
  value owner { id name region label } brands { name } } } }"""
LIST = "{ indicators(first: 100) { totalCount edges { node { id } } } }"


async def _shared_record(world: World, intel: Intel) -> tuple[object, str, str, str]:
    owner = await world.member("Leaving Brands SA", region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    reader = world.token(await world.user(await world.member(region="CN"), Role.ANALYST))
    return owner, to_global_id("Indicator", record.id), reader, record.value


async def test_withdraw_removes_every_record_from_every_other_view(
    api: Api, world: World, intel: Intel
) -> None:
    owner, record_id, reader, value = await _shared_record(world, intel)
    assert (await api.query(NODE, {"id": record_id}, token=reader))["node"]["value"] == value

    admin = world.token(await world.alliance_admin())
    member_id = to_global_id("Member", owner.id)  # type: ignore[attr-defined]
    done = await api.query(OFFBOARD, {"id": member_id, "d": "WITHDRAW"}, token=admin)
    assert done["memberOffboard"]["errors"] == []

    assert (await api.query(NODE, {"id": record_id}, token=reader))["node"] is None
    listed = (await api.query(LIST, token=reader))["indicators"]
    assert listed == {"totalCount": 0, "edges": []}
    matched = await api.query(
        "query($v: String!) { match(values: [{kind: EMAIL, value: $v}]) { members } }",
        {"v": value},
        token=reader,
    )
    assert matched["match"][0]["members"] == 0


async def test_retain_keeps_records_shared_but_attributed_to_a_former_member(
    api: Api, world: World, intel: Intel
) -> None:
    owner, record_id, reader, value = await _shared_record(world, intel)
    admin = world.token(await world.alliance_admin())
    member_id = to_global_id("Member", owner.id)  # type: ignore[attr-defined]
    await api.query(OFFBOARD, {"id": member_id, "d": "RETAIN"}, token=admin)

    response = await api.post(NODE, {"id": record_id}, token=reader)
    node = response.json()["data"]["node"]
    assert node["value"] == value
    assert node["owner"] == {"id": None, "name": None, "region": None, "label": "a former member"}
    assert node["brands"] is None
    assert "Leaving Brands" not in response.text
    assert member_id not in response.text


async def test_an_offboarded_members_policy_cannot_be_reopened(
    api: Api, world: World, intel: Intel
) -> None:
    # given a member that was offboarded with WITHDRAW
    owner, *_ = await _shared_record(world, intel)
    member = await world.reload_member(owner)  # type: ignore[arg-type]
    own_admin = world.as_viewer(await world.admin_of(member), member)
    admin = world.token(await world.alliance_admin())
    member_id = to_global_id("Member", member.id)
    await api.query(OFFBOARD, {"id": member_id, "d": "WITHDRAW"}, token=admin)

    # when its former admin's policy change reaches the service (its tokens are refused
    # at the API, so this is the last line of defence)
    wider = MemberPolicy(
        member_id=member.id,
        ceilings={RuleKey(RecordType.INDICATOR): Ceiling(parse_audience("alliance=FULL"))},
    )
    with pytest.raises(IllegalTransition):
        async with world.db.transaction() as session:
            await policy_service.set_policy(session, viewer=own_admin, policy=wider)


async def test_a_disclosed_sighting_by_the_owner_does_not_unmask_an_anonymous_record(
    api: Api, world: World, intel: Intel
) -> None:
    # given an ANONYMOUS record whose owner adds a disclosed sighting, and another
    # member's disclosed sighting on it
    owner = await world.member("Hidden Owner SA", region="EU")
    witness = await world.member("Open Witness SA", region="EU")
    record = await intel.indicator(owner, "alliance=ANONYMOUS")
    await intel.sighting(owner, record, disclosed=True)
    await intel.sighting(witness, record, disclosed=True)
    reader = world.token(await world.user(await world.member(region="CN"), Role.ANALYST))

    # when a third member reads the record's sightings
    query = """query($id: ID!) { node(id: $id) { ... on Indicator {
      owner { label } sightings { memberId memberName } } } }"""
    response = await api.post(query, {"id": to_global_id("Indicator", record.id)}, token=reader)

    # then the witness is named, the owner's own sighting is not
    node = response.json()["data"]["node"]
    assert node["owner"]["label"] == "a member in EU"
    names = sorted(s["memberName"] or "" for s in node["sightings"])
    assert names == ["", "Open Witness SA"]
    assert "Hidden Owner" not in response.text


async def test_a_write_authenticated_before_a_withdraw_is_refused_after_it(
    api: Api, world: World, intel: Intel
) -> None:
    # given a member system whose request was authenticated (its viewer built) just before
    # the secretariat offboards its member with WITHDRAW
    owner = await world.member("Leaving Brands SA", region="EU")
    reader = world.token(await world.user(await world.member(region="CN"), Role.ANALYST))
    in_flight = member_viewer(owner)
    admin = world.token(await world.alliance_admin())
    offboarded = await api.query(
        OFFBOARD, {"id": to_global_id("Member", owner.id), "d": "WITHDRAW"}, token=admin
    )
    assert offboarded["memberOffboard"]["errors"] == []

    # when the request's write transaction runs after the offboarding committed
    draft = IndicatorDraft(
        kind=IndicatorKind.EMAIL,
        value=IndicatorValue(value="late-writer@fake-shop.com"),
        tlp=Tlp.AMBER,
        audience=parse_audience("alliance=FULL"),
        external_id="late-1",
    )
    with pytest.raises(Forbidden):
        async with world.db.viewer_transaction(in_flight) as session:
            await create_indicators(session, viewer=in_flight, drafts=[draft])

    # then nothing of it reaches anyone
    assert (await api.query(LIST, token=reader))["indicators"]["totalCount"] == 0
