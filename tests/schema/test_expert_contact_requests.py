"""Contact requests to experts: the same mechanism as for indicators, to one person.

The request goes to the profile's person alone; the sender learns who they are only if
they accept (with the contact email they choose); a profile that leaves the directory
leaves its open requests with their recipient."""

from __future__ import annotations

import uuid
from typing import Any

from alliance.members.models import Member
from schema.ids import to_global_id
from tests.fixtures.experts import Experts
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

SEND = """mutation($id: ID!) { contactRequestSend(input: {expertProfileId: $id,
  message: "Can you help with customs in Rotterdam?"}) {
  errors { code field message } requests { id target status ownerName contactEmail } } }"""
BOTH = """mutation($id: ID!, $indicator: ID!) { contactRequestSend(input: {expertProfileId: $id,
  indicatorId: $indicator, message: "Hi"}) { errors { code field } requests { id } } }"""
ANSWER = """mutation($id: ID!, $accept: Boolean!, $email: String) {
  contactRequestAnswer(input: {id: $id, accept: $accept, message: "Glad to help.",
    contactEmail: $email}) {
    errors { code field message } contactRequest { status senderName contactEmail } } }"""
LIST = """query($received: Boolean!) { contactRequests(received: $received) {
  id target status received message answer senderName ownerName contactEmail kind matchKey
  indicator { id } expertProfile { id } } }"""
REMOVE = "mutation { expertProfileRemove { errors { code } } }"


async def _inbox(api: Api, token: str, *, received: bool = True) -> list[dict[str, Any]]:
    data = await api.query(LIST, {"received": received}, token=token)
    return list(data["contactRequests"])


async def _scene(world: World, experts: Experts) -> tuple[Member, Member, Any, str, str, str]:
    """An expert of "Expert Maison" shared FULL; an analyst of "Asking Brand"."""
    owner = await world.member("Expert Maison", region="EU")
    sender = await world.member("Asking Brand", region="CN")
    person, profile = await experts.profile(owner, "alliance=ANONYMOUS")
    return (
        owner,
        sender,
        person,
        to_global_id("ExpertProfile", profile.id),
        world.token(person),
        world.token(await world.user(sender)),
    )


async def test_an_expert_is_reached_and_reveals_the_contact_email_they_choose(
    api: Api, world: World, experts: Experts
) -> None:
    owner, _, _, profile_id, expert_token, sender_token = await _scene(world, experts)
    # when an analyst of another member sends the expert a request
    sent = (await api.query(SEND, {"id": profile_id}, token=sender_token))["contactRequestSend"]
    # then it leaves, naming nobody
    assert sent["errors"] == []
    [request] = sent["requests"]
    assert (
        request["target"],
        request["status"],
        request["ownerName"],
        request["contactEmail"],
    ) == (
        "EXPERT",
        "OPEN",
        None,
        None,
    )
    # and the expert sees who sent it, about their profile
    [received] = await _inbox(api, expert_token)
    assert (received["senderName"], received["target"], received["expertProfile"]) == (
        "Asking Brand",
        "EXPERT",
        {"id": profile_id},
    )
    assert (received["kind"], received["matchKey"], received["indicator"]) == (None, None, None)
    # while the expert's colleagues (their member admin included) do not
    admin_token = world.token(await world.admin_of(owner))
    assert await _inbox(api, admin_token) == []
    # and a colleague cannot answer it: it was not sent to them
    refused = await api.query(ANSWER, {"id": received["id"], "accept": True}, token=admin_token)
    assert [e["code"] for e in refused["contactRequestAnswer"]["errors"]] == ["NOT_FOUND"]
    # when the expert accepts, giving a desk address
    answered = await api.query(
        ANSWER,
        {"id": received["id"], "accept": True, "email": "Customs.Desk@expert-maison.example"},
        token=expert_token,
    )
    assert answered["contactRequestAnswer"]["errors"] == []
    # then the sender learns the member and the address the expert chose
    [outgoing] = await _inbox(api, sender_token, received=False)
    assert (outgoing["status"], outgoing["ownerName"], outgoing["contactEmail"]) == (
        "ACCEPTED",
        "Expert Maison",
        "Customs.Desk@expert-maison.example",
    )
    assert outgoing["answer"] == "Glad to help."


async def test_a_declined_request_reveals_nothing(api: Api, world: World, experts: Experts) -> None:
    _, _, person, profile_id, expert_token, sender_token = await _scene(world, experts)
    await api.query(SEND, {"id": profile_id}, token=sender_token)
    [received] = await _inbox(api, expert_token)
    await api.query(ANSWER, {"id": received["id"], "accept": False}, token=expert_token)
    [outgoing] = await _inbox(api, sender_token, received=False)
    assert (outgoing["status"], outgoing["ownerName"], outgoing["contactEmail"]) == (
        "DECLINED",
        None,
        None,
    )
    response = await api.post(LIST, {"received": False}, token=sender_token)
    assert person.email not in response.text


async def test_a_bad_contact_email_is_refused_by_name(
    api: Api, world: World, experts: Experts
) -> None:
    _, _, _, profile_id, expert_token, sender_token = await _scene(world, experts)
    await api.query(SEND, {"id": profile_id}, token=sender_token)
    [received] = await _inbox(api, expert_token)
    bad = await api.query(
        ANSWER,
        {"id": received["id"], "accept": True, "email": "not an address"},
        token=expert_token,
    )
    assert [(e["code"], e["field"]) for e in bad["contactRequestAnswer"]["errors"]] == [
        ("VALIDATION", "contactEmail")
    ]
    [still] = await _inbox(api, expert_token)
    assert still["status"] == "OPEN"


async def test_one_target_only(api: Api, world: World, experts: Experts) -> None:
    _, _, _, profile_id, _, sender_token = await _scene(world, experts)
    indicator = to_global_id("Indicator", "00000000-0000-0000-0000-000000000001")
    both = await api.query(BOTH, {"id": profile_id, "indicator": indicator}, token=sender_token)
    assert [(e["code"], e["field"]) for e in both["contactRequestSend"]["errors"]] == [
        ("VALIDATION", "expertProfileId")
    ]
    neither = await api.query(
        'mutation { contactRequestSend(input: {message: "Hi"}) { errors { code field } } }',
        token=sender_token,
    )
    assert [(e["code"], e["field"]) for e in neither["contactRequestSend"]["errors"]] == [
        ("VALIDATION", "indicatorId")
    ]


async def test_an_open_request_outlives_the_opt_out_with_its_recipient(
    api: Api, world: World, experts: Experts
) -> None:
    # given a request waiting for the expert
    _, _, _, profile_id, expert_token, sender_token = await _scene(world, experts)
    await api.query(SEND, {"id": profile_id}, token=sender_token)
    [before] = await _inbox(api, sender_token, received=False)
    assert before["expertProfile"] == {"id": profile_id}
    # when the expert opts out
    assert (await api.query(REMOVE, token=expert_token))["expertProfileRemove"]["errors"] == []
    # then the sender's request stays, without any profile
    [after] = await _inbox(api, sender_token, received=False)
    assert (after["status"], after["expertProfile"], after["ownerName"]) == ("OPEN", None, None)
    # and the expert may still answer it
    [received] = await _inbox(api, expert_token)
    answered = await api.query(ANSWER, {"id": received["id"], "accept": True}, token=expert_token)
    assert answered["contactRequestAnswer"]["contactRequest"]["status"] == "ACCEPTED"


async def test_a_malformed_profile_id_answers_like_a_missing_one(
    api: Api, world: World, experts: Experts
) -> None:
    _, _, _, _, _, sender_token = await _scene(world, experts)
    missing = to_global_id("ExpertProfile", uuid.uuid4())
    answers = []
    for profile_id in (missing, "not-an-id", to_global_id("Indicator", uuid.uuid4())):
        data = await api.query(SEND, {"id": profile_id}, token=sender_token)
        answers.append(data["contactRequestSend"])
    assert answers[0]["errors"][0]["code"] == "NOT_FOUND"
    assert answers == [answers[0]] * 3
