"""The sharing matrix of expert profiles through the real API: viewer x audience x path.

One EU owner member opts one person in per audience; every kind of viewer then lists the
directory (filtered), opens each profile by `node`, and sends each a contact request.
Expected answers come from the independent oracle (tests/sharing/oracle.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from alliance.members.models import Member
from schema.ids import to_global_id
from sharing import Role, Scope
from tests.case_counter import count
from tests.fixtures.experts import Experts
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.sharing.oracle import Person, is_listable, oracle_level

AUDIENCES = (
    "",
    "alliance=FULL",
    "alliance=ANONYMOUS",
    "region:EU=FULL",
    "region:EU=ANONYMOUS",
    "region:CN=FULL",
    "region:CN=ANONYMOUS",
    "member:{named}=FULL",
    "member:{named}=ANONYMOUS",
    "alliance=FULL, exclude:{excluded}",
    "region:EU=ANONYMOUS, exclude:{excluded}",
)
PROBE = """query($ids: [ID!]!) {
  experts(first: 100, filter: {topics: [CUSTOMS, TRAINING], languages: ["en"], regions: ["EU"]}) {
    totalCount edges { node { id name memberId memberName label region isOwn } } }
  none: experts(filter: {topics: [IMAGE_FORENSICS]}) { totalCount }
  nodes(ids: $ids) { id ... on ExpertProfile { name memberName label audience } }
}"""
SEND = """mutation($id: ID!) { contactRequestSend(input: {expertProfileId: $id, message: "Hi"}) {
  errors { code field message } requests { id ownerName contactEmail } } }"""


@dataclass
class Seat:
    name: str
    token: str
    person: Person
    reads: bool = True  # has expertise:read


async def _seats(world: World, owner: Member, named: Member, excluded: Member) -> list[Seat]:
    eu, cn = await world.member(region="EU"), await world.member(region="CN")
    eu_reader = await world.member(region="EU")
    unagreed = await world.member(region="EU", agreed=False)
    suspended = await world.member(region="EU")
    machine = await world.member(region="EU")
    suspended_token = world.token(await world.user(suspended))
    await Intel(world).suspend(suspended)

    def person(member: Member, **state: bool) -> Person:
        return Person(member.id, member.region_code, **state)

    reader = await world.client(machine, scopes=(Scope.EXPERTISE_READ,))
    blind = await world.client(machine, scopes=(Scope.INDICATORS_READ,))
    return [
        Seat("same member", world.token(await world.user(owner)), person(owner)),
        Seat("same region", world.token(await world.user(eu)), person(eu)),
        Seat(
            "read only",
            world.token(await world.user(eu_reader, Role.READ_ONLY)),
            person(eu_reader),
        ),
        Seat("other region", world.token(await world.user(cn)), person(cn)),
        Seat("named member", world.token(await world.user(named)), person(named)),
        Seat("excluded", world.token(await world.user(excluded)), person(excluded)),
        Seat("not agreed", world.token(await world.user(unagreed)), person(unagreed, agreed=False)),
        Seat("suspended", suspended_token, person(suspended, active=False)),
        Seat("alliance admin", world.token(await world.alliance_admin()), Person(None, None)),
        Seat("client with scope", world.token(reader), person(machine)),
        Seat("client without scope", world.token(blind), person(machine), reads=False),
    ]


@dataclass
class Target:
    audience: str
    id: str
    grants: dict[str, str]
    excludes: set[uuid.UUID]


async def _targets(experts: Experts, members: dict[str, Member]) -> list[Target]:
    targets = []
    for template in AUDIENCES:
        text = template.format(named=members["named"].id, excluded=members["excluded"].id)
        _, profile = await experts.profile(
            members["owner"], text, topics=("CUSTOMS",), languages=("en", "fr"), regions=("EU",)
        )
        grants = dict(g.split("=") for g in text.split(", ") if "=" in g)
        excludes = {members["excluded"].id} if "exclude" in text else set()
        targets.append(Target(text, to_global_id("ExpertProfile", profile.id), grants, excludes))
    return targets


async def _refused(api: Api, seat: Seat, variables: dict[str, Any]) -> None:
    response = await api.post(PROBE, variables, token=seat.token)
    if not seat.person.active:
        assert response.status_code == 401
        return
    body = response.json()
    assert body["data"] is None or body["data"].get("experts") is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


async def _check_reads(api: Api, seat: Seat, targets: list[Target], owner: Member) -> None:
    variables = {"ids": [t.id for t in targets]}
    if not seat.reads or not seat.person.active:
        await _refused(api, seat, variables)
        return
    data = await api.query(PROBE, variables, token=seat.token)
    listed = {e["node"]["id"]: e["node"] for e in data["experts"]["edges"]}
    levels = [_level(seat, t, owner) for t in targets]
    expected = [t.id for t, level in zip(targets, levels, strict=True) if is_listable(level)]
    assert sorted(listed) == sorted(expected), seat.name
    assert data["experts"]["totalCount"] == len(expected), seat.name
    assert data["none"]["totalCount"] == 0
    for target, level, node in zip(targets, levels, data["nodes"], strict=True):
        assert (node is not None) == is_listable(level), (seat.name, target.audience)
        if node is None:
            continue
        full = level == "FULL"
        assert (node["name"] is not None, node["memberName"] is not None) == (full, full)
        assert (node["audience"] is not None) == (seat.person.member_id == owner.id)
        if not full:
            assert node["label"] == "an expert at a member in EU"
            assert listed[target.id]["memberId"] is None


def _level(seat: Seat, target: Target, owner: Member) -> str | None:
    return oracle_level(seat.person, owner=owner.id, grants=target.grants, excludes=target.excludes)


async def _check_sends(api: Api, seat: Seat, targets: list[Target], owner: Member) -> None:
    if not seat.reads or not seat.person.active:
        return
    missing = await api.query(
        SEND, {"id": to_global_id("ExpertProfile", uuid.uuid4())}, token=seat.token
    )
    for target in targets:
        level = _level(seat, target, owner)
        sent = (await api.query(SEND, {"id": target.id}, token=seat.token))["contactRequestSend"]
        reachable = is_listable(level) and seat.person.member_id != owner.id
        if not (seat.person.agreed and seat.person.member_id):
            assert [e["code"] for e in sent["errors"]] == ["FORBIDDEN"], seat.name
        elif reachable:
            assert sent["errors"] == [], (seat.name, target.audience)
            assert sent["requests"][0]["ownerName"] is None
        else:
            # invisible, own or missing: one answer
            assert sent == missing["contactRequestSend"], (seat.name, target.audience)
            assert sent["errors"][0]["field"] == "expertProfileId"


async def test_expert_profiles_obey_the_sharing_matrix(
    api: Api, world: World, experts: Experts
) -> None:
    members = {
        "owner": await world.member("Expert Owner SA", region="EU"),
        "named": await world.member(region="CN"),
        "excluded": await world.member(region="EU"),
    }
    targets = await _targets(experts, members)
    seats = await _seats(world, members["owner"], members["named"], members["excluded"])
    for seat in seats:
        await _check_reads(api, seat, targets, members["owner"])
        await _check_sends(api, seat, targets, members["owner"])
        count("expert matrix (viewer x audience)", world.db.dialect, len(targets))
