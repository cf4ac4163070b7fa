"""The sharing matrix through the real API: viewer x grant x level x TLP x output path.

For each audience and TLP label, one world (an EU owner, members around it, an
alliance-wide "anchor" record linked to the target, a sighting on the target), then every
kind of viewer asks every output path at once. Expected answers come from the independent
oracle (tests/sharing/oracle.py); the number of checks is printed at the end of the run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from alliance.brands import service as brand_service
from alliance.members.models import Member
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER, Scope
from sharing.audience import Tlp
from tests.case_counter import count
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.sharing.oracle import Person, is_listable, oracle_level

AUDIENCES = {
    "owner only": "",
    **{
        f"{target}={level}": f"{target}={level}"
        for target in ("alliance", "region:EU", "region:CN", "member:{named}")
        for level in ("FULL", "ANONYMOUS", "MATCH_ONLY")
    },
    "alliance=FULL minus excluded": "alliance=FULL, exclude:{excluded}",
    "region:EU=ANONYMOUS minus excluded": "region:EU=ANONYMOUS, exclude:{excluded}",
}
TLPS = (Tlp.CLEAR, Tlp.AMBER, Tlp.RED)

PROBE = """query($id: ID!, $anchor: ID!, $sighting: ID!, $prefix: String!, $value: String!) {
  all: indicators(first: 100) { totalCount edges { node { id owner { id name region label } } } }
  filtered: indicators(filter: {kinds: [EMAIL], valuePrefix: $prefix}) { totalCount edges { node { id } } }
  region: indicators(filter: {ownerRegion: "EU", minConfidence: 10}) { totalCount }
  node(id: $id) { id ... on Indicator { owner { id name label } audience brands { name } } }
  nodes(ids: [$id, $anchor]) { id }
  anchor: node(id: $anchor) { ... on Indicator { links { source { id } target { id } } } }
  sighting: node(id: $sighting) { id }
  network: infringerNetwork(id: $anchor, depth: 1) { indicators { id } }
  match(values: [{kind: EMAIL, value: $value}]) { members indicators { id } }
}"""
SIGHT = """mutation($id: ID!) { sightingAdd(input: {indicatorId: $id, kind: SEEN}) {
  errors { code field message } sighting { id } }
  contact: contactRequestSend(input: {indicatorId: $id, message: "Hello"}) {
  errors { code field message } requests { id } } }"""


@dataclass
class Seat:
    """A kind of viewer: how to get its token and who it is for the oracle."""

    name: str
    token: str | None
    person: Person
    reads: bool = True  # has indicators:read
    writes: bool = True  # has indicators:write


async def _seats(world: World, owner: Member, named: Member, excluded: Member) -> list[Seat]:
    eu = await world.member(region="EU")
    cn = await world.member(region="CN")
    unagreed = await world.member(region="EU", agreed=False)
    suspended = await world.member(region="EU")
    machine = await world.member(region="EU")
    suspended_token = world.token(await world.user(suspended))
    await Intel(world).suspend(suspended)

    def person(member: Member, **state: bool) -> Person:
        return Person(member.id, member.region_code, **state)

    reader = await world.client(machine, scopes=(Scope.INDICATORS_READ,))
    blind = await world.client(machine, scopes=(Scope.EXPERTISE_READ,))
    return [
        Seat("same member", world.token(await world.user(owner)), person(owner)),
        Seat("same region", world.token(await world.user(eu)), person(eu)),
        Seat("other region", world.token(await world.user(cn)), person(cn)),
        Seat("named member", world.token(await world.user(named)), person(named)),
        Seat("excluded", world.token(await world.user(excluded)), person(excluded)),
        Seat("not agreed", world.token(await world.user(unagreed)), person(unagreed, agreed=False)),
        Seat("suspended", suspended_token, person(suspended, active=False)),
        Seat("alliance admin", world.token(await world.alliance_admin()), Person(None, None)),
        Seat("client with scope", world.token(reader), person(machine), writes=False),
        Seat(
            "client without scope", world.token(blind), person(machine), reads=False, writes=False
        ),
    ]


def _expected(seat: Seat, level: str | None, owner_is_seat: bool) -> dict[str, Any]:
    listable = is_listable(level) and seat.reads
    reads_shared = seat.person.member_id is not None and seat.person.active and seat.person.agreed
    anchor = seat.reads and (reads_shared or owner_is_seat)
    return {
        "listed": listable,
        "total": int(listable) + int(anchor),
        "filtered": int(listable),
        "region": None,
        "node": listable,
        "named": listable and level == "FULL",
        "brands": listable and level == "FULL",
        "audience shown": owner_is_seat,
        "nodes": [listable, anchor],
        "linked": listable and anchor,
        "network": listable and anchor,
        "sighting": listable,
        "members": int(level is not None and seat.reads),
        "matched": listable,
    }


def _observed(data: dict[str, Any], target: str, anchor: str) -> dict[str, Any]:
    listed = [e["node"] for e in data["all"]["edges"] if e["node"]["id"] == target]
    links = (data["anchor"] or {}).get("links", [])
    node = data["node"]
    return {
        "listed": bool(listed),
        "total": data["all"]["totalCount"],
        "filtered": data["filtered"]["totalCount"],
        "region": data["region"]["totalCount"],
        "node": node is not None,
        "named": node is not None and node["owner"]["name"] is not None,
        "brands": node is not None and node["brands"] == [{"name": "Lumen"}],
        "audience shown": node is not None and node["audience"] is not None,
        "nodes": [n is not None for n in data["nodes"]],
        "linked": any(target in (link["source"]["id"], link["target"]["id"]) for link in links),
        "sighting": data["sighting"] is not None,
        "network": target in [i["id"] for i in (data["network"] or {}).get("indicators", [])],
        "members": data["match"][0]["members"],
        "matched": any(i["id"] == target for i in data["match"][0]["indicators"]),
    }


async def _probe_refused(api: Api, seat: Seat, variables: dict[str, Any]) -> None:
    """A suspended member's token, or a client without the read right, reads nothing."""
    response = await api.post(PROBE, variables, token=seat.token)
    if seat.person.active:
        body = response.json()
        assert body["data"] is None or body["data"].get("all") is None
        assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    else:
        assert response.status_code == 401


@dataclass
class Target:
    audience: str
    grants: dict[str, str]
    excludes: set[uuid.UUID]
    variables: dict[str, Any]


async def _red_is_refused_beyond_members(api: Api, world: World, owner: Member, text: str) -> None:
    """RED goes to named members only: a wider audience is refused, naming the field."""
    query = """mutation($a: String) { indicatorCreate(input: {value: {kind: EMAIL,
      value: "x@red-shop.com"}, tlp: RED, audience: $a}) { errors { code field } indicator { id } } }"""
    result = await api.query(query, {"a": text}, token=world.token(await world.user(owner)))
    assert result["indicatorCreate"] == {
        "errors": [{"code": "VALIDATION", "field": "audience"}],
        "indicator": None,
    }


async def _targets(
    api: Api, world: World, intel: Intel, tlp: Tlp, members: dict[str, Member]
) -> list[Target]:
    owner, anchor = members["owner"], members["anchor"]
    targets = []
    for name in sorted(AUDIENCES):
        text = AUDIENCES[name].format(named=members["named"].id, excluded=members["excluded"].id)
        grants = dict(g.split("=") for g in text.split(", ") if "=" in g)
        if tlp is Tlp.RED and any(not t.startswith("member:") for t in grants):
            await _red_is_refused_beyond_members(api, world, owner, text)
            count("matrix (viewer x path)", world.db.dialect)
            continue
        record = await intel.indicator(owner, text, tlp=tlp, brand_ids=(members["brand"].id,))
        await intel.link(owner, anchor, record)
        sighting = await intel.sighting(owner, record)
        variables = {
            "id": to_global_id("Indicator", record.id),
            "anchor": to_global_id("Indicator", anchor.id),
            "sighting": to_global_id("Sighting", sighting.id),
            "prefix": record.value.split("@")[0],
            "value": record.value.upper(),
        }
        excludes = {members["excluded"].id} if "exclude" in text else set()
        targets.append(Target(name, grants, excludes, variables))
    return targets


@pytest.mark.parametrize("tlp", TLPS, ids=str)
async def test_sharing_matrix(api: Api, world: World, intel: Intel, tlp: Tlp) -> None:
    owner = await world.member(region="EU")
    named = await world.member(region="AMER")
    excluded = await world.member(region="EU")
    hub = await world.member(region="AMER")
    anchor = await intel.indicator(hub, "alliance=FULL")
    async with world.db.transaction() as session:
        brand = await brand_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=owner.id, name="Lumen"
        )
    members = {
        "owner": owner,
        "named": named,
        "excluded": excluded,
        "anchor": anchor,
        "brand": brand,
    }
    targets = await _targets(api, world, intel, tlp, members)  # type: ignore[arg-type]
    for seat in await _seats(world, owner, named, excluded):
        levels = [
            oracle_level(seat.person, owner=owner.id, grants=t.grants, excludes=t.excludes)
            for t in targets
        ]
        listable_targets = sum(is_listable(level) for level in levels) if seat.reads else 0
        for target, level in zip(targets, levels, strict=True):
            await _check(api, world, seat, target, level, owner, listable_targets)
        hidden = [t for t, level in zip(targets, levels, strict=True) if not is_listable(level)]
        if hidden and seat.reads and seat.person.active:
            await _same_error_as_missing(api, seat, hidden[0].variables["id"])
            count("matrix (viewer x path)", world.db.dialect)


async def _check(
    api: Api,
    world: World,
    seat: Seat,
    target: Target,
    level: str | None,
    owner: Member,
    listable_targets: int,
) -> None:
    if not seat.reads or not seat.person.active:
        await _probe_refused(api, seat, target.variables)
        count("matrix (viewer x path)", world.db.dialect)
        return
    assert seat.token is not None
    data = await api.query(PROBE, target.variables, token=seat.token)
    expected = _expected(seat, level, seat.person.member_id == owner.id)
    # the unfiltered list holds every listable target of this world, and the anchor
    expected["total"] = listable_targets + int(expected["nodes"][1])
    expected["region"] = listable_targets  # every target's owner is in EU, the anchor's not
    observed = _observed(data, target.variables["id"], target.variables["anchor"])
    assert observed == expected, (seat.name, target.audience, level)
    if is_listable(level) and expected["named"] is False:
        assert data["node"]["owner"]["label"] == "a member in EU"
    count("matrix (viewer x path)", world.db.dialect, len(expected))


async def _same_error_as_missing(api: Api, seat: Seat, target_id: str) -> None:
    """Writing against an invisible record (a sighting, a contact request by id) answers
    exactly like a record that never existed."""
    missing = to_global_id("Indicator", uuid.uuid4())
    assert seat.token is not None
    seen = await api.query(SIGHT, {"id": target_id}, token=seat.token)
    absent = await api.query(SIGHT, {"id": missing}, token=seat.token)
    assert seen == absent
    assert seen["sightingAdd"]["sighting"] is None
    assert seen["contact"]["requests"] == []
