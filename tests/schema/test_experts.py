"""The expert directory through the API: opting in and out, finding experts, what an
ANONYMOUS profile hides, bad input, and who may write a profile."""

from __future__ import annotations

from typing import Any

import pytest

from alliance.errors import InvalidInput
from alliance.experts import service as expert_service
from alliance.members.models import Member
from schema.ids import to_global_id
from sharing import Role, Scope
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from tests.fixtures.experts import Experts, person_viewer
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

SET = """mutation($topics: [ExpertTopic!]!, $languages: [String!]!, $regions: [String!]!,
  $bio: String!, $audience: String) {
  expertProfileSet(input: {topics: $topics, languages: $languages, regions: $regions,
    bio: $bio, audience: $audience}) {
    errors { code field message }
    expertProfile { id topics languages regions bio audience name memberName isOwn } } }"""
REMOVE = "mutation { expertProfileRemove { errors { code field message } removedId } }"
MINE = "query { myExpertProfile { id topics languages audience } }"
FIND = """query($topics: [ExpertTopic!], $languages: [String!], $regions: [String!]) {
  experts(filter: {topics: $topics, languages: $languages, regions: $regions}) {
    totalCount edges { node { id name memberId memberName label region topics languages
      regions bio isOwn audience } } } }"""
NODE = """query($id: ID!) { node(id: $id) { id ... on ExpertProfile { name memberName label } } }"""
SEND = """mutation($id: ID!) { contactRequestSend(input: {expertProfileId: $id, message: "Hi"}) {
  errors { code field message } requests { id target ownerName contactEmail
  expertProfile { id } } } }"""


def _profile(**changes: Any) -> dict[str, Any]:
    return {
        "topics": ["CUSTOMS", "AUTHENTICATION"],
        "languages": ["en", "FRA"],
        "regions": ["EU", "CN"],
        "bio": "  Customs recordation and training of border officers.  ",
        "audience": "alliance=FULL",
        **changes,
    }


async def _analyst(world: World, member: Member) -> str:
    return world.token(await world.user(member))


async def test_a_person_opts_in_and_analysts_find_them_by_topic_language_and_region(
    api: Api, world: World, experts: Experts
) -> None:
    # given a person of an EU member who opts in
    owner = await world.member("Maison Expert", region="EU")
    person = await experts.person(owner, "Claire Dubois")
    made = (await api.query(SET, _profile(), token=world.token(person)))["expertProfileSet"]
    # then the profile holds what they gave, normalised
    assert made["errors"] == []
    assert made["expertProfile"] == {
        "id": made["expertProfile"]["id"],
        "topics": ["AUTHENTICATION", "CUSTOMS"],
        "languages": ["en", "fr"],
        "regions": ["CN", "EU"],
        "bio": "Customs recordation and training of border officers.",
        "audience": "alliance=FULL",
        "name": "Claire Dubois",
        "memberName": "Maison Expert",
        "isOwn": True,
    }
    mine = (await api.query(MINE, token=world.token(person)))["myExpertProfile"]
    assert mine["id"] == made["expertProfile"]["id"]
    # when an analyst of another member searches the directory
    token = await _analyst(world, await world.member(region="CN"))

    async def found(**wanted: Any) -> list[str]:
        data = await api.query(FIND, wanted, token=token)
        return [e["node"]["name"] for e in data["experts"]["edges"]]

    # then each filter narrows: any item of a list, every list given
    assert await found() == ["Claire Dubois"]
    assert await found(topics=["TRAINING", "CUSTOMS"], languages=["fr"]) == ["Claire Dubois"]
    assert await found(topics=["IMAGE_FORENSICS"]) == []
    assert await found(languages=["de"]) == []
    assert await found(regions=["CN"], languages=["en"]) == ["Claire Dubois"]
    assert await found(regions=["AMER"]) == []
    # and at FULL level they see the person and the member, but never the audience
    data = await api.query(FIND, {}, token=token)
    node = data["experts"]["edges"][0]["node"]
    assert (node["memberName"], node["label"], node["audience"], node["isOwn"]) == (
        "Maison Expert",
        "Claire Dubois at Maison Expert",
        None,
        False,
    )


async def test_an_anonymous_profile_never_reveals_the_person_or_member(
    api: Api, world: World, experts: Experts
) -> None:
    # given an expert who shares ANONYMOUS with the alliance
    owner = await world.member("Hidden Maison", region="EU")
    person, profile = await experts.profile(owner, "alliance=ANONYMOUS", regions=("EU",))
    token = await _analyst(world, await world.member(region="CN"))
    profile_id = to_global_id("ExpertProfile", profile.id)
    # when another member lists, opens and contacts them, and lists what it sent
    listed = await api.post(FIND, {}, token=token)
    opened = await api.post(NODE, {"id": profile_id}, token=token)
    sent = await api.post(SEND, {"id": profile_id}, token=token)
    again = await api.post(SEND, {"id": profile_id}, token=token)
    outbox = await api.post(
        """query { contactRequests(received: false) { id target ownerName contactEmail
          senderName expertProfile { id name memberId memberName label } } }""",
        token=token,
    )
    # then it sees "an expert at a member in EU", topics and languages, nothing else
    node = listed.json()["data"]["experts"]["edges"][0]["node"]
    assert node["label"] == "an expert at a member in EU"
    assert (node["name"], node["memberId"], node["memberName"]) == (None, None, None)
    assert node["topics"] == ["CUSTOMS"]
    assert again.json()["data"]["contactRequestSend"]["errors"][0]["code"] == "CONFLICT"
    # and no answer anywhere names the person, their email, member or ids
    secrets = [
        person.display_name,
        person.email,
        owner.legal_name,
        str(person.id),
        str(owner.id),
        to_global_id("Member", owner.id),
        to_global_id("User", person.id),
    ]
    for response in (listed, opened, sent, again, outbox):
        assert response.status_code == 200
        assert not [s for s in secrets if s in response.text], response.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"languages": ["english"]}, "languages"),
        ({"languages": ["xx"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"topics": []}, "topics"),
        ({"regions": ["MARS"]}, "regions"),
        ({"bio": "x" * 1001}, "bio"),
        ({"audience": "alliance=MATCH_ONLY"}, "audience"),
        ({"audience": "region:EU=FULL, alliance=MATCH_ONLY"}, "audience"),
        ({"audience": "region:MARS=FULL"}, "audience"),
        ({"audience": "everyone"}, "audience"),
    ],
)
async def test_bad_input_is_a_typed_error_naming_the_field_and_writes_nothing(
    api: Api, world: World, changes: dict[str, Any], field: str
) -> None:
    token = await _analyst(world, await world.member())
    result = (await api.query(SET, _profile(**changes), token=token))["expertProfileSet"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("VALIDATION", field)]
    assert result["expertProfile"] is None
    assert (await api.query(MINE, token=token))["myExpertProfile"] is None


async def test_an_unknown_topic_is_refused_by_name(
    api: Api, world: World, experts: Experts
) -> None:
    # the API's enum refuses it before execution; the service refuses it too
    token = await _analyst(world, await world.member())
    errors = await api.errors(SET, _profile(topics=["ASTROLOGY"]), token=token)
    assert "ExpertTopic" in errors[0]["message"]
    member = await world.member()
    person = await experts.person(member)
    draft = expert_service.ProfileDraft(topics=("ASTROLOGY",), languages=("en",))
    viewer = person_viewer(person, member)
    async with world.db.viewer_transaction(viewer) as session:
        with pytest.raises(InvalidInput) as refused:
            await expert_service.set_profile(session, viewer=viewer, draft=draft)
    assert refused.value.field == "topics"


async def test_a_member_system_cannot_have_a_profile(api: Api, world: World) -> None:
    member = await world.member()
    client = await world.client(member, scopes=(Scope.EXPERTISE_WRITE, Scope.EXPERTISE_READ))
    result = (await api.query(SET, _profile(), token=world.token(client)))["expertProfileSet"]
    assert [e["code"] for e in result["errors"]] == ["FORBIDDEN"]
    removed = (await api.query(REMOVE, token=world.token(client)))["expertProfileRemove"]
    assert [e["code"] for e in removed["errors"]] == ["FORBIDDEN"]
    # nor can a read-only person, who lacks expertise:write
    reader = world.token(await world.user(member, Role.READ_ONLY))
    result = (await api.query(SET, _profile(), token=reader))["expertProfileSet"]
    assert [e["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_opting_out_removes_the_profile_from_every_view_and_opting_in_again_works(
    api: Api, world: World, experts: Experts
) -> None:
    # given a FULL profile that another member sees
    owner = await world.member(region="EU")
    person, profile = await experts.profile(owner, "alliance=FULL")
    token = await _analyst(world, await world.member(region="CN"))
    profile_id = to_global_id("ExpertProfile", profile.id)
    assert (await api.query(FIND, {}, token=token))["experts"]["totalCount"] == 1
    # when the person opts out
    removed = (await api.query(REMOVE, token=world.token(person)))["expertProfileRemove"]
    assert removed == {"errors": [], "removedId": profile_id}
    # then it is gone from the list, node and contact requests, like a missing profile
    assert (await api.query(FIND, {}, token=token))["experts"] == {"totalCount": 0, "edges": []}
    assert (await api.query(NODE, {"id": profile_id}, token=token))["node"] is None
    sent = (await api.query(SEND, {"id": profile_id}, token=token))["contactRequestSend"]
    assert sent["errors"] == [
        {
            "code": "NOT_FOUND",
            "field": "expertProfileId",
            "message": "No expert profile with this id.",
        }
    ]
    assert (await api.query(MINE, token=world.token(person)))["myExpertProfile"] is None
    again = (await api.query(REMOVE, token=world.token(person)))["expertProfileRemove"]
    assert [e["code"] for e in again["errors"]] == ["NOT_FOUND"]
    # when they opt in again, they are found again (a new profile)
    back = (await api.query(SET, _profile(), token=world.token(person)))["expertProfileSet"]
    assert back["errors"] == []
    assert back["expertProfile"]["id"] != profile_id
    found = (await api.query(FIND, {}, token=token))["experts"]["edges"]
    assert [e["node"]["id"] for e in found] == [back["expertProfile"]["id"]]
    actions = [a for a in await world.audit_actions() if a.startswith("expert_profile.")]
    assert actions == ["expert_profile.create", "expert_profile.remove", "expert_profile.create"]


async def test_editing_replaces_the_profile_and_its_audience(
    api: Api, world: World, experts: Experts
) -> None:
    owner = await world.member(region="EU")
    person = await experts.person(owner)
    token = await _analyst(world, await world.member(region="CN"))
    await api.query(SET, _profile(), token=world.token(person))
    assert (await api.query(FIND, {}, token=token))["experts"]["totalCount"] == 1
    # when the person narrows it to their region and changes their topics
    edited = await api.query(
        SET, _profile(topics=["TRAINING"], audience="region:EU=FULL"), token=world.token(person)
    )
    assert edited["expertProfileSet"]["expertProfile"]["topics"] == ["TRAINING"]
    # then the CN analyst no longer finds them; an EU analyst finds them by the new topic
    assert (await api.query(FIND, {}, token=token))["experts"]["totalCount"] == 0
    eu = await _analyst(world, await world.member(region="EU"))
    assert (await api.query(FIND, {"topics": ["TRAINING"]}, token=eu))["experts"]["totalCount"] == 1
    assert (await api.query(FIND, {"topics": ["CUSTOMS"]}, token=eu))["experts"]["totalCount"] == 0


async def test_a_member_policy_applies_to_profiles_and_its_changes_reach_them(
    api: Api, world: World, experts: Experts, intel: Intel
) -> None:
    # given an EU member whose policy shares profiles with the alliance by default
    owner = await world.member(region="EU")
    default = MemberPolicy(
        member_id=owner.id,
        defaults={RuleKey(RecordType.EXPERT_PROFILE): parse_audience("alliance=ANONYMOUS")},
    )
    await intel.policy(default)
    await experts.profile(owner, None)
    cn = await _analyst(world, await world.member(region="CN"))
    found = (await api.query(FIND, {}, token=cn))["experts"]["edges"]
    assert [e["node"]["label"] for e in found] == ["an expert at a member in EU"]
    # when its admins cap profiles at their own region
    ceiling = Ceiling(parse_audience("region:EU=FULL"))
    await intel.policy(
        MemberPolicy(
            member_id=owner.id,
            version=1,
            defaults=default.defaults,
            ceilings={RuleKey(RecordType.EXPERT_PROFILE): ceiling},
        )
    )
    # then the profile leaves the CN member's view at once, and stays in the EU's
    assert (await api.query(FIND, {}, token=cn))["experts"]["totalCount"] == 0
    eu = await _analyst(world, await world.member(region="EU"))
    assert (await api.query(FIND, {}, token=eu))["experts"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("wanted", "field"),
    [
        ({"languages": ["xx"]}, "filter.languages"),
        ({"regions": ["MARS"]}, "filter.regions"),
    ],
)
async def test_a_bad_filter_is_an_error_naming_the_field(
    api: Api, world: World, wanted: dict[str, Any], field: str
) -> None:
    token = await _analyst(world, await world.member())
    errors = await api.errors(FIND, wanted, token=token)
    assert [(e["extensions"]["code"], e["extensions"].get("field")) for e in errors] == [
        ("VALIDATION", field)
    ]
