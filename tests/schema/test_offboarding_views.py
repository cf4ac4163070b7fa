"""Offboarding reaches everything the member wrote (DESIGN §3, invariant 7), through the
real API: WITHDRAW takes its sightings, links and contact requests out of every other
view and out of the counts; RETAIN keeps them, attributed to "a former member" with no
name, id, brand or region of the member anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alliance.brands import service as brand_service
from alliance.members.models import Member
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

OFFBOARD = """mutation($id: ID!, $d: DataDisposition!) {
  memberOffboard(id: $id, dataDisposition: $d) { errors { code } } }"""
SIGHT = """mutation($id: ID!, $note: String) {
  sightingAdd(input: {indicatorId: $id, kind: SEEN, note: $note, disclosed: true}) {
    errors { code } sighting { id } } }"""
LINK = """mutation($s: ID!, $t: ID!) {
  linkCreate(input: {sourceId: $s, targetId: $t, kind: SAME_OPERATOR, note: "same warehouse"}) {
    errors { code } link { id } } }"""
SEND = """mutation($id: ID!) {
  contactRequestSend(input: {indicatorId: $id, message: "Can we talk about this seller?"}) {
    errors { code } requests { id } } }"""
ANSWER = """mutation($id: ID!) {
  contactRequestAnswer(input: {id: $id, accept: true, message: "Yes, write to us."}) {
    errors { code } } }"""
INBOX = """query($received: Boolean!) { contactRequests(received: $received) {
  id senderName ownerName contactEmail } }"""
RECORD = """query($id: ID!) { node(id: $id) { ... on Indicator {
  owner { id name region label } brands { id name }
  sightings { id note memberId memberName }
  links { id note }
  corroboration { members sightings { kind count } } } } }"""
NETWORK = """query($id: ID!) { infringerNetwork(id: $id, depth: 2) {
  indicators { id } links { id } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
BY_BRAND = """query($b: ID!) { indicators(filter: {brandId: $b}) {
  totalCount edges { node { id } } } }"""
BY_REGION = """query($r: String!) { indicators(filter: {ownerRegion: $r}) {
  totalCount edges { node { id } } } }"""

LEAVER = "Departing Witness SA"
NOTE = "Test buy in Lyon, 3 May: same packaging"


@dataclass
class Scene:
    """A stays, B is about to leave; each holds the same seller and wrote about the other's."""

    stayer: Member
    leaver: Member
    stayer_token: str
    leaver_token: str
    admin_token: str
    record: str  # A's record, which B sighted and linked
    other: str  # A's second record, the other end of B's link
    leavers_record: str  # B's record of the same value as A's
    brand: str


async def _scene(api: Api, world: World, intel: Intel) -> Scene:
    stayer = await world.member("Staying Brand Ltd", region="CN")
    leaver = await world.member(LEAVER, region="EU")
    async with world.db.transaction() as session:
        brand = await brand_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=leaver.id, name="Leaverlux"
        )
    record = await intel.indicator(stayer, "alliance=FULL", value="seller@fake-bags.com")
    other = await intel.indicator(stayer, "alliance=FULL")
    theirs = await intel.indicator(
        leaver, "alliance=FULL", value="seller@fake-bags.com", brand_ids=(brand.id,)
    )
    scene = Scene(
        stayer=stayer,
        leaver=leaver,
        stayer_token=world.token(await world.user(stayer)),
        leaver_token=world.token(await world.user(leaver)),
        admin_token=world.token(await world.alliance_admin()),
        record=to_global_id("Indicator", record.id),
        other=to_global_id("Indicator", other.id),
        leavers_record=to_global_id("Indicator", theirs.id),
        brand=to_global_id("Brand", brand.id),
    )
    # B sights A's record (disclosed, with a note) and its own, and links A's two records
    for target in (scene.record, scene.leavers_record):
        sighted = await api.query(SIGHT, {"id": target, "note": NOTE}, token=scene.leaver_token)
        assert sighted["sightingAdd"]["errors"] == []
    linked = await api.query(LINK, {"s": scene.record, "t": scene.other}, token=scene.leaver_token)
    assert linked["linkCreate"]["errors"] == []
    return scene


async def _offboard(api: Api, scene: Scene, disposition: str) -> None:
    member_id = to_global_id("Member", scene.leaver.id)
    done = await api.query(OFFBOARD, {"id": member_id, "d": disposition}, token=scene.admin_token)
    assert done["memberOffboard"]["errors"] == []


async def _contact_both_ways(api: Api, scene: Scene) -> list[str]:
    """A asks B about B's record and B accepts; B asks A about A's record. The ids."""
    to_leaver = await api.query(SEND, {"id": scene.leavers_record}, token=scene.stayer_token)
    to_stayer = await api.query(SEND, {"id": scene.record}, token=scene.leaver_token)
    [asked] = to_leaver["contactRequestSend"]["requests"]
    [asking] = to_stayer["contactRequestSend"]["requests"]
    accepted = await api.query(ANSWER, {"id": asked["id"]}, token=scene.leaver_token)
    assert accepted["contactRequestAnswer"]["errors"] == []
    return [asked["id"], asking["id"]]


def _leaves_no_trace(response: Any, scene: Scene) -> None:
    text = response.text
    assert LEAVER not in text
    assert to_global_id("Member", scene.leaver.id) not in text
    assert scene.brand not in text


async def test_withdraw_takes_the_members_sightings_and_links_off_others_records(
    api: Api, world: World, intel: Intel
) -> None:
    # given B's disclosed sighting and link on A's record, seen by A before B leaves
    scene = await _scene(api, world, intel)
    before = (await api.query(RECORD, {"id": scene.record}, token=scene.stayer_token))["node"]
    assert [s["memberName"] for s in before["sightings"]] == [LEAVER]
    assert before["corroboration"] == {"members": 2, "sightings": [{"kind": "SEEN", "count": 1}]}
    assert len(before["links"]) == 1
    leftovers = [before["sightings"][0]["id"], before["links"][0]["id"]]

    # when B is offboarded with WITHDRAW
    await _offboard(api, scene, "WITHDRAW")

    # then A's record carries nothing of B: no sighting, no link, no weight in the counts
    response = await api.post(RECORD, {"id": scene.record}, token=scene.stayer_token)
    node = response.json()["data"]["node"]
    assert node["sightings"] == []
    assert node["links"] == []
    assert node["corroboration"] == {"members": 1, "sightings": []}
    assert NOTE not in response.text
    _leaves_no_trace(response, scene)
    # and neither the sighting nor the link can be opened by id, or walked as a network
    nodes = await api.query(NODES, {"ids": leftovers}, token=scene.stayer_token)
    assert nodes["nodes"] == [None, None]
    network = await api.query(NETWORK, {"id": scene.record}, token=scene.stayer_token)
    assert network["infringerNetwork"] == {"indicators": [{"id": scene.record}], "links": []}


async def test_withdraw_takes_the_members_contact_requests_out_of_both_boxes(
    api: Api, world: World, intel: Intel
) -> None:
    # given a request from A to B (accepted by B) and one from B to A
    scene = await _scene(api, world, intel)
    asked, asking = await _contact_both_ways(api, scene)

    # when B is offboarded with WITHDRAW
    await _offboard(api, scene, "WITHDRAW")

    # then A's inbox and outbox hold nothing of B, and B's request cannot be answered
    for received in (True, False):
        response = await api.post(INBOX, {"received": received}, token=scene.stayer_token)
        assert response.json()["data"]["contactRequests"] == []
        _leaves_no_trace(response, scene)
    answered = await api.query(ANSWER, {"id": asking}, token=scene.stayer_token)
    assert answered["contactRequestAnswer"]["errors"] == [{"code": "NOT_FOUND"}]
    assert asked != asking


async def test_retain_attributes_records_and_sightings_to_a_former_member(
    api: Api, world: World, intel: Intel
) -> None:
    # given B's record (with a brand) and B's disclosed sightings on it and on A's record
    scene = await _scene(api, world, intel)

    # when B is offboarded with RETAIN
    await _offboard(api, scene, "RETAIN")

    # then B's record stays, by "a former member": no id, name, region or brand
    response = await api.post(RECORD, {"id": scene.leavers_record}, token=scene.stayer_token)
    node = response.json()["data"]["node"]
    former = {"id": None, "name": None, "region": None, "label": "a former member"}
    assert node["owner"] == former
    assert node["brands"] is None
    assert [(s["memberId"], s["memberName"]) for s in node["sightings"]] == [
        (None, "a former member")
    ]
    _leaves_no_trace(response, scene)
    # and B's sighting on A's record stays, its note too, by "a former member"
    response = await api.post(RECORD, {"id": scene.record}, token=scene.stayer_token)
    node = response.json()["data"]["node"]
    assert [(s["memberId"], s["memberName"], s["note"]) for s in node["sightings"]] == [
        (None, "a former member", NOTE)
    ]
    assert node["corroboration"]["members"] == 2
    _leaves_no_trace(response, scene)


async def test_retain_makes_a_former_members_records_unselectable_by_its_brand_or_region(
    api: Api, world: World, intel: Intel
) -> None:
    # given B (the only member in EU) with a branded record, known by brand id before
    scene = await _scene(api, world, intel)
    by_brand = await api.query(BY_BRAND, {"b": scene.brand}, token=scene.stayer_token)
    assert by_brand["indicators"]["totalCount"] == 1
    by_region = await api.query(BY_REGION, {"r": "EU"}, token=scene.stayer_token)
    assert by_region["indicators"]["totalCount"] == 1

    # when B is offboarded with RETAIN
    await _offboard(api, scene, "RETAIN")

    # then neither its old brand id nor its region selects its record any more
    empty = {"totalCount": 0, "edges": []}
    by_brand = await api.query(BY_BRAND, {"b": scene.brand}, token=scene.stayer_token)
    assert by_brand["indicators"] == empty
    by_region = await api.query(BY_REGION, {"r": "EU"}, token=scene.stayer_token)
    assert by_region["indicators"] == empty


async def test_retain_names_a_former_member_in_contact_requests(
    api: Api, world: World, intel: Intel
) -> None:
    # given a request from A to B (accepted by B's user) and one from B to A
    scene = await _scene(api, world, intel)
    await _contact_both_ways(api, scene)

    # when B is offboarded with RETAIN
    await _offboard(api, scene, "RETAIN")

    # then A's boxes keep both requests, with B as "a former member" and no contact address
    inbox = await api.post(INBOX, {"received": True}, token=scene.stayer_token)
    assert [
        (r["senderName"], r["contactEmail"]) for r in inbox.json()["data"]["contactRequests"]
    ] == [("a former member", None)]
    outbox = await api.post(INBOX, {"received": False}, token=scene.stayer_token)
    assert [
        (r["ownerName"], r["contactEmail"]) for r in outbox.json()["data"]["contactRequests"]
    ] == [("a former member", None)]
    for response in (inbox, outbox):
        _leaves_no_trace(response, scene)
        assert "@member.example" not in response.text
    # and a new request to the former member is refused like one to a missing record:
    # nobody is left to answer it
    again = await api.query(SEND, {"id": scene.leavers_record}, token=scene.stayer_token)
    assert again["contactRequestSend"]["errors"] == [{"code": "NOT_FOUND"}]


OWNER = "owner { id name region label }"
PATHS = {
    "indicators": f"{{ indicators(first: 100) {{ edges {{ node {{ id {OWNER} }} }} }} }}",
    "node": f"query($id: ID!) {{ node(id: $id) {{ ... on Indicator {{ id {OWNER} }} }} }}",
    "match": f"""query($v: String!) {{ match(values: [{{kind: EMAIL, value: $v}}]) {{
      indicators {{ id {OWNER} }} }} }}""",
    "similarImages": f"""query($pdq: String!) {{ similarImages(pdq: $pdq, quality: 90) {{
      indicator {{ id {OWNER} }} }} }}""",
    "infringerNetwork": f"""query($start: ID!) {{ infringerNetwork(id: $start) {{
      indicators {{ id {OWNER} }} links {{ source {{ id {OWNER} }} target {{ id {OWNER} }} }}
    }} }}""",
}
PDQ = "f" * 32 + "0" * 32


def _owners(data: Any) -> list[dict[str, Any]]:
    """Every `owner` object anywhere in a response."""
    if isinstance(data, dict):
        found = [data["owner"]] if "owner" in data else []
        return found + [o for value in data.values() for o in _owners(value)]
    if isinstance(data, list):
        return [o for item in data for o in _owners(item)]
    return []


async def test_retain_attributes_the_former_members_records_on_every_output_path(
    api: Api, world: World, intel: Intel
) -> None:
    # given B's records, one ANONYMOUS image and one FULL email that A linked to its own
    scene = await _scene(api, world, intel)
    image = await intel.image(scene.leaver, PDQ, "alliance=ANONYMOUS")
    linked = await api.query(
        LINK, {"s": scene.record, "t": scene.leavers_record}, token=scene.stayer_token
    )
    assert linked["linkCreate"]["errors"] == []

    # when B is offboarded with RETAIN
    await _offboard(api, scene, "RETAIN")

    # then every path that shows one of B's records shows "a former member" and nothing else
    variables = {
        "id": to_global_id("Indicator", image.id),
        "v": "seller@fake-bags.com",
        "pdq": PDQ,
        "start": scene.record,
    }
    former = {"id": None, "name": None, "region": None, "label": "a former member"}
    for path, query in PATHS.items():
        wanted = {k: v for k, v in variables.items() if f"${k}:" in query}
        response = await api.post(query, wanted, token=scene.stayer_token)
        assert "errors" not in response.json(), (path, response.text)
        theirs = [o for o in _owners(response.json()["data"]) if o["label"] != "Staying Brand Ltd"]
        assert theirs, path
        assert all(owner == former for owner in theirs), (path, theirs)
        _leaves_no_trace(response, scene)
