"""A person who cannot be reached is not in the directory: a deactivated user, a member
suspended, a member that left (WITHDRAW and RETAIN alike: a profile is a person, not
content that RETAIN keeps)."""

from __future__ import annotations

import pytest

from schema.ids import to_global_id
from sharing import MemberStatus
from tests.fixtures.experts import Experts
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

OFFBOARD = """mutation($id: ID!, $d: DataDisposition!) {
  memberOffboard(id: $id, dataDisposition: $d) { errors { code } } }"""
SUSPEND = "mutation($id: ID!) { memberSuspend(id: $id) { errors { code } } }"
REINSTATE = "mutation($id: ID!) { memberReinstate(id: $id) { errors { code } } }"
DEACTIVATE = "mutation($id: ID!) { userDeactivate(id: $id) { errors { code } } }"
VIEWS = """query($id: ID!) {
  experts { totalCount edges { node { id } } }
  byRegion: experts(filter: {regions: ["EU"], topics: [CUSTOMS]}) { totalCount }
  node(id: $id) { id } }"""
SEND = """mutation($id: ID!) { contactRequestSend(input: {expertProfileId: $id, message: "Hi"}) {
  errors { code field message } } }"""


async def _views(api: Api, token: str, profile_id: str) -> dict[str, object]:
    data = await api.query(VIEWS, {"id": profile_id}, token=token)
    sent = (await api.query(SEND, {"id": profile_id}, token=token))["contactRequestSend"]
    return {
        "listed": [e["node"]["id"] for e in data["experts"]["edges"]],
        "total": data["experts"]["totalCount"],
        "filtered": data["byRegion"]["totalCount"],
        "node": data["node"],
        "send": sent["errors"],
    }


GONE = {
    "listed": [],
    "total": 0,
    "filtered": 0,
    "node": None,
    "send": [
        {
            "code": "NOT_FOUND",
            "field": "expertProfileId",
            "message": "No expert profile with this id.",
        }
    ],
}


@pytest.mark.parametrize("disposition", ["WITHDRAW", "RETAIN"])
async def test_offboarding_removes_the_members_profiles_from_every_view(
    api: Api, world: World, experts: Experts, disposition: str
) -> None:
    # given two experts of a member, one FULL and one ANONYMOUS, seen by another member
    leaver = await world.member(region="EU")
    _, full = await experts.profile(leaver, "alliance=FULL", regions=("EU",))
    _, anonymous = await experts.profile(leaver, "alliance=ANONYMOUS", regions=("EU",))
    token = world.token(await world.user(await world.member(region="CN")))
    ids = [to_global_id("ExpertProfile", p.id) for p in (full, anonymous)]
    data = await api.query(VIEWS, {"id": ids[0]}, token=token)
    assert data["experts"]["totalCount"] == 2
    # when the member is offboarded
    admin = world.token(await world.alliance_admin())
    await api.query(SUSPEND, {"id": to_global_id("Member", leaver.id)}, token=admin)
    done = await api.query(
        OFFBOARD, {"id": to_global_id("Member", leaver.id), "d": disposition}, token=admin
    )
    assert done["memberOffboard"]["errors"] == []
    # then neither profile is anywhere, like profiles that never existed
    for profile_id in ids:
        assert await _views(api, token, profile_id) == GONE


async def test_a_deactivated_person_leaves_the_directory(
    api: Api, world: World, experts: Experts
) -> None:
    owner = await world.member(region="EU")
    person, profile = await experts.profile(owner, "alliance=FULL", regions=("EU",))
    _, colleague = await experts.profile(owner, "alliance=FULL", regions=("EU",))
    token = world.token(await world.user(await world.member(region="CN")))
    profile_id = to_global_id("ExpertProfile", profile.id)
    # when the member's admin deactivates the person
    done = await api.query(
        DEACTIVATE,
        {"id": to_global_id("User", person.id)},
        token=world.token(await world.admin_of(owner)),
    )
    assert done["userDeactivate"]["errors"] == []
    # then their profile is gone from every view, their colleague's stays
    views = await _views(api, token, profile_id)
    assert views == {
        **GONE,
        "listed": [to_global_id("ExpertProfile", colleague.id)],
        "total": 1,
        "filtered": 1,
    }


async def test_a_suspended_members_experts_are_hidden_until_reinstated(
    api: Api, world: World, experts: Experts
) -> None:
    owner = await world.member(region="EU")
    _, profile = await experts.profile(owner, "alliance=FULL", regions=("EU",))
    token = world.token(await world.user(await world.member(region="CN")))
    profile_id = to_global_id("ExpertProfile", profile.id)
    admin = world.token(await world.alliance_admin())
    member_id = to_global_id("Member", owner.id)
    await api.query(SUSPEND, {"id": member_id}, token=admin)
    assert (await world.reload_member(owner)).status is MemberStatus.SUSPENDED
    assert await _views(api, token, profile_id) == GONE
    # when reinstated, the person is reachable again
    await api.query(REINSTATE, {"id": member_id}, token=admin)
    back = await _views(api, token, profile_id)
    assert (back["listed"], back["send"]) == ([profile_id], [])
