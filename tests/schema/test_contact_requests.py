"""Contact requests through the API: a MATCH_ONLY holder reaches the owner without
learning who it is; the owner sees the sender and decides; unreachable looks missing."""

from __future__ import annotations

import uuid
from typing import Any

from alliance.members.models import Member
from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

SEND = """mutation($id: ID, $value: IndicatorValueInput, $message: String!) {
  contactRequestSend(input: {indicatorId: $id, value: $value, message: $message}) {
    errors { code field message } requests { id status ownerName contactEmail matchKey } } }"""
ANSWER = """mutation($id: ID!, $accept: Boolean!) {
  contactRequestAnswer(input: {id: $id, accept: $accept, message: "Happy to talk."}) {
    errors { code field message } contactRequest { status senderName } } }"""
LIST = """query($received: Boolean!) { contactRequests(received: $received) {
  id status received message answer senderName ownerName contactEmail matchKey
  indicator { id } } }"""
MATCH = """query($value: String!) { match(values: [{kind: EMAIL, value: $value}]) {
  members indicators { id } } }"""
NODE = "query($id: ID!) { node(id: $id) { id } }"


async def _token(world: World, member: Member) -> str:
    return world.token(await world.user(member))


def _email(value: str) -> dict[str, Any]:
    return {"kind": "EMAIL", "value": value}


async def test_a_match_only_holder_reaches_the_owner_who_reveals_itself_by_accepting(
    api: Api, world: World, intel: Intel
) -> None:
    # given a record shared MATCH_ONLY with the alliance
    owner = await world.member("Maison Owner", region="EU")
    sender = await world.member("Sender Brand", region="CN")
    record = await intel.indicator(owner, "alliance=MATCH_ONLY", value="shop@fake-lux.com")
    sender_token, owner_token = await _token(world, sender), await _token(world, owner)
    matched = await api.query(MATCH, {"value": "SHOP@fake-lux.com"}, token=sender_token)
    assert matched["match"] == [{"members": 1, "indicators": []}]
    # when the sender asks the holder to get in touch, by the value it matched
    sent = await api.query(
        SEND,
        {"value": _email("shop@fake-lux.com"), "message": "We see this seller too."},
        token=sender_token,
    )
    # then a request leaves, naming nobody
    [request] = sent["contactRequestSend"]["requests"]
    assert sent["contactRequestSend"]["errors"] == []
    assert request["status"] == "OPEN"
    assert request["ownerName"] is None
    assert request["contactEmail"] is None
    assert request["matchKey"] == "shop@fake-lux.com"
    # and the owner sees who sent it, about which of its records
    inbox = (await api.query(LIST, {"received": True}, token=owner_token))["contactRequests"]
    assert [(r["senderName"], r["message"], r["indicator"]) for r in inbox] == [
        ("Sender Brand", "We see this seller too.", {"id": to_global_id("Indicator", record.id)})
    ]
    # while the sender's own list does not name the owner, and node still hides the record
    outbox = (await api.query(LIST, {"received": False}, token=sender_token))["contactRequests"]
    assert [(r["ownerName"], r["senderName"], r["indicator"]) for r in outbox] == [
        (None, None, None)
    ]
    hidden = await api.query(NODE, {"id": to_global_id("Indicator", record.id)}, token=sender_token)
    assert hidden["node"] is None
    # when the owner accepts
    answered = await api.query(ANSWER, {"id": inbox[0]["id"], "accept": True}, token=owner_token)
    assert answered["contactRequestAnswer"] == {
        "errors": [],
        "contactRequest": {"status": "ACCEPTED", "senderName": "Sender Brand"},
    }
    # then the sender learns who the owner is and whom to write to
    outbox = (await api.query(LIST, {"received": False}, token=sender_token))["contactRequests"]
    assert outbox[0]["status"] == "ACCEPTED"
    assert outbox[0]["ownerName"] == "Maison Owner"
    assert outbox[0]["answer"] == "Happy to talk."
    assert outbox[0]["contactEmail"].endswith("@member.example")


async def test_a_declined_request_never_names_the_owner(
    api: Api, world: World, intel: Intel
) -> None:
    owner, sender = await world.member(region="EU"), await world.member(region="CN")
    record = await intel.indicator(owner, "alliance=ANONYMOUS")
    sender_token, owner_token = await _token(world, sender), await _token(world, owner)
    await api.query(
        SEND, {"id": to_global_id("Indicator", record.id), "message": "Hi"}, token=sender_token
    )
    inbox = (await api.query(LIST, {"received": True}, token=owner_token))["contactRequests"]
    await api.query(ANSWER, {"id": inbox[0]["id"], "accept": False}, token=owner_token)
    outbox = (await api.query(LIST, {"received": False}, token=sender_token))["contactRequests"]
    assert [(r["status"], r["ownerName"], r["contactEmail"]) for r in outbox] == [
        ("DECLINED", None, None)
    ]


async def test_an_unreachable_record_answers_exactly_like_a_missing_one(
    api: Api, world: World, intel: Intel
) -> None:
    # given records the sender cannot reach (unshared, excluded) or only match (MATCH_ONLY)
    owner, sender = await world.member(region="EU"), await world.member(region="CN")
    unshared = await intel.indicator(owner, "", value="hidden@fake-lux.com")
    excluded = await intel.indicator(
        owner, f"alliance=FULL, exclude:{sender.id}", value="excl@fake-lux.com"
    )
    match_only = await intel.indicator(owner, "alliance=MATCH_ONLY")
    token = await _token(world, sender)

    async def send(variables: dict[str, Any]) -> dict[str, Any]:
        data = await api.query(SEND, {"message": "Hello", **variables}, token=token)
        return dict(data["contactRequestSend"])

    # then by value: an invisible value answers like a value nobody holds
    missing_value = await send({"value": _email("nobody@fake-lux.com")})
    assert missing_value["errors"][0]["code"] == "NOT_FOUND"
    for value in ("hidden@fake-lux.com", "excl@fake-lux.com"):
        assert await send({"value": _email(value)}) == missing_value
    # and by id: ids are for listable records only, MATCH_ONLY ones are reached by value
    missing_id = await send({"id": to_global_id("Indicator", uuid.uuid4())})
    assert missing_id["errors"][0]["code"] == "NOT_FOUND"
    for record in (unshared, excluded, match_only):
        assert await send({"id": to_global_id("Indicator", record.id)}) == missing_id
    # and the owner received nothing
    inbox = await api.query(LIST, {"received": True}, token=await _token(world, owner))
    assert inbox["contactRequests"] == []


async def test_one_open_request_per_record_and_sender_member(
    api: Api, world: World, intel: Intel
) -> None:
    owner, sender = await world.member(region="EU"), await world.member(region="CN")
    record = await intel.indicator(owner, "alliance=FULL")
    sender_token, owner_token = await _token(world, sender), await _token(world, owner)
    variables = {"id": to_global_id("Indicator", record.id), "message": "Hello"}
    first = await api.query(SEND, variables, token=sender_token)
    assert first["contactRequestSend"]["errors"] == []
    # a colleague of the sender asks again while it is open: refused
    colleague = world.token(await world.user(sender))
    again = await api.query(SEND, variables, token=colleague)
    assert [e["code"] for e in again["contactRequestSend"]["errors"]] == ["CONFLICT"]
    # once answered, a new request may go
    inbox = (await api.query(LIST, {"received": True}, token=owner_token))["contactRequests"]
    assert len(inbox) == 1
    await api.query(ANSWER, {"id": inbox[0]["id"], "accept": False}, token=owner_token)
    later = await api.query(SEND, variables, token=colleague)
    assert later["contactRequestSend"]["errors"] == []


async def test_messages_are_limited_and_only_the_owner_answers_once(
    api: Api, world: World, intel: Intel
) -> None:
    owner, sender = await world.member(region="EU"), await world.member(region="CN")
    record = await intel.indicator(owner, "alliance=FULL")
    sender_token, owner_token = await _token(world, sender), await _token(world, owner)
    record_id = to_global_id("Indicator", record.id)
    for message in ("   ", "x" * 2001):
        refused = await api.query(SEND, {"id": record_id, "message": message}, token=sender_token)
        assert [(e["code"], e["field"]) for e in refused["contactRequestSend"]["errors"]] == [
            ("VALIDATION", "message")
        ]
    await api.query(SEND, {"id": record_id, "message": "x" * 2000}, token=sender_token)
    inbox = (await api.query(LIST, {"received": True}, token=owner_token))["contactRequests"]
    request_id = inbox[0]["id"]
    # the sender cannot answer its own request: it looks like a request that does not exist
    by_sender = await api.query(ANSWER, {"id": request_id, "accept": True}, token=sender_token)
    unknown = await api.query(
        ANSWER,
        {"id": to_global_id("ContactRequest", uuid.uuid4()), "accept": True},
        token=sender_token,
    )
    assert by_sender == unknown
    assert by_sender["contactRequestAnswer"]["errors"][0]["code"] == "NOT_FOUND"
    # the owner answers once
    await api.query(ANSWER, {"id": request_id, "accept": True}, token=owner_token)
    twice = await api.query(ANSWER, {"id": request_id, "accept": False}, token=owner_token)
    assert [e["code"] for e in twice["contactRequestAnswer"]["errors"]] == ["ILLEGAL_TRANSITION"]
