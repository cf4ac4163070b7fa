"""The sharing matrix of articles through the real API: viewer x audience x output path.

One owner in EU writes one article per audience (each with a word of its own in its body
and a PNG attachment); every kind of viewer then asks every output path: the list, its
count and region filter, the search, `node` (owner, author, audience, versions) and the
attachment download. Expected answers come from the independent oracle
(tests/sharing/oracle.py); an invisible article must look exactly like a missing one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from alliance.articles.samples import png
from alliance.members.models import Member
from schema.ids import to_global_id
from sharing import Scope
from tests.case_counter import count
from tests.fixtures.articles import Library
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.sharing.oracle import Person, is_listable, oracle_level

AUDIENCES = [
    "",
    *(
        f"{target}={level}"
        for target in ("alliance", "region:EU", "region:CN", "member:{named}")
        for level in ("FULL", "ANONYMOUS")
    ),
    "alliance=FULL, exclude:{excluded}",
    "region:EU=ANONYMOUS, exclude:{excluded}",
]

PROBE = """query($id: ID!, $word: String!) {
  all: articles(first: 100) { totalCount edges { node { id } } }
  region: articles(filter: {ownerRegion: "EU"}) { totalCount }
  search: articleSearch(query: $word) { totalCount edges { node { article { id } } } }
  node(id: $id) { id ... on Article { owner { id name label } authorId audience
    versions { number } brands { name } attachments { downloadUrl } } }
}"""


@dataclass
class Seat:
    name: str
    token: str
    person: Person
    reads: bool = True  # holds expertise:read


@dataclass
class Target:
    audience: str
    grants: dict[str, str]
    excludes: set[uuid.UUID]
    id: str
    word: str
    download: str


async def _seats(world: World, owner: Member, named: Member, excluded: Member) -> list[Seat]:
    eu, cn = await world.member(region="EU"), await world.member(region="CN")
    unagreed = await world.member(region="EU", agreed=False)
    suspended, machine = await world.member(region="EU"), await world.member(region="EU")
    suspended_token = world.token(await world.user(suspended))
    await Intel(world).suspend(suspended)

    def person(member: Member, **state: bool) -> Person:
        return Person(member.id, member.region_code, **state)

    reader = await world.client(machine, scopes=(Scope.EXPERTISE_READ,))
    blind = await world.client(machine, scopes=(Scope.INDICATORS_READ,))
    return [
        Seat("same member", world.token(await world.user(owner)), person(owner)),
        Seat("same region", world.token(await world.user(eu)), person(eu)),
        Seat("other region", world.token(await world.user(cn)), person(cn)),
        Seat("named member", world.token(await world.user(named)), person(named)),
        Seat("excluded", world.token(await world.user(excluded)), person(excluded)),
        Seat("not agreed", world.token(await world.user(unagreed)), person(unagreed, agreed=False)),
        Seat("suspended", suspended_token, person(suspended, active=False)),
        Seat("alliance admin", world.token(await world.alliance_admin()), Person(None, None)),
        Seat("client with scope", world.token(reader), person(machine)),
        Seat("client without scope", world.token(blind), person(machine), reads=False),
    ]


async def _targets(library: Library, members: dict[str, Member]) -> list[Target]:
    targets = []
    for number, template in enumerate(AUDIENCES):
        text = template.format(named=members["named"].id, excluded=members["excluded"].id)
        grants = dict(g.split("=") for g in text.split(", ") if "=" in g)
        word = f"matrixword{number}"
        article = await library.article(members["owner"], text, body=f"Look for the {word}.")
        attachment = await library.attach(members["owner"], article.id, png())
        excludes = {members["excluded"].id} if "exclude" in text else set()
        targets.append(
            Target(
                text,
                grants,
                excludes,
                to_global_id("Article", article.id),
                word,
                f"/attachments/{attachment.id}",
            )
        )
    return targets


def _expected(level: str | None, own: bool, listable_targets: int) -> dict[str, Any]:
    listable = is_listable(level)
    return {
        "listed": listable,
        "total": listable_targets,
        "region": listable_targets,
        "found": int(listable),
        "node": listable,
        "named": listable and level == "FULL",
        "author": listable and level == "FULL",
        "audience shown": own,
        "versions shown": own,
        "download": 200 if listable else 404,
    }


def _observed(data: dict[str, Any], target: Target, status: int) -> dict[str, Any]:
    node = data["node"]
    return {
        "listed": any(e["node"]["id"] == target.id for e in data["all"]["edges"]),
        "total": data["all"]["totalCount"],
        "region": data["region"]["totalCount"],
        "found": data["search"]["totalCount"],
        "node": node is not None,
        "named": node is not None and node["owner"]["name"] is not None,
        "author": node is not None and node["authorId"] is not None,
        "audience shown": node is not None and node["audience"] is not None,
        "versions shown": node is not None and node["versions"] is not None,
        "download": status,
    }


async def _refused(api: Api, seat: Seat, target: Target) -> None:
    """A suspended member's token reads nothing (401); a token without the right is
    FORBIDDEN on every field and 403 on the download."""
    response = await api.post(PROBE, {"id": target.id, "word": target.word}, token=seat.token)
    download = await api.client.get(target.download, headers=_bearer(seat.token))
    if not seat.person.active:
        assert (response.status_code, download.status_code) == (401, 401)
        return
    body = response.json()
    assert body["data"] is None or body["data"].get("all") is None
    assert "FORBIDDEN" in {e["extensions"]["code"] for e in body["errors"]}
    assert download.status_code == 403


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_article_sharing_matrix(api: Api, world: World, library: Library) -> None:
    owner = await world.member("Maison Owner", region="EU")
    named, excluded = await world.member(region="AMER"), await world.member(region="EU")
    targets = await _targets(library, {"owner": owner, "named": named, "excluded": excluded})
    missing = await api.client.get(f"/attachments/{uuid.uuid4()}", headers={})
    for seat in await _seats(world, owner, named, excluded):
        levels = [
            oracle_level(seat.person, owner=owner.id, grants=t.grants, excludes=t.excludes)
            for t in targets
        ]
        listable_targets = sum(is_listable(level) for level in levels)
        for target, level in zip(targets, levels, strict=True):
            if not seat.reads or not seat.person.active:
                await _refused(api, seat, target)
                count("articles matrix (viewer x path)", world.db.dialect)
                continue
            await _check(api, seat, target, level, owner, listable_targets)
            count("articles matrix (viewer x path)", world.db.dialect, 10)
    assert missing.status_code == 401


async def _check(
    api: Api, seat: Seat, target: Target, level: str | None, owner: Member, listable: int
) -> None:
    data = await api.query(PROBE, {"id": target.id, "word": target.word}, token=seat.token)
    download = await api.client.get(target.download, headers=_bearer(seat.token))
    expected = _expected(level, seat.person.member_id == owner.id, listable)
    observed = _observed(data, target, download.status_code)
    assert observed == expected, (seat.name, target.audience, level)
    if download.status_code == 404:
        # Byte for byte what a missing attachment gets.
        absent = await api.client.get(f"/attachments/{uuid.uuid4()}", headers=_bearer(seat.token))
        assert (download.content, dict(download.headers)) == (absent.content, dict(absent.headers))
    if is_listable(level) and not expected["named"]:
        assert data["node"]["owner"] == {"id": None, "name": None, "label": "a member in EU"}
        assert "Maison Owner" not in str(data)
        assert str(owner.id) not in str(data)


@pytest.mark.parametrize("level", ["MATCH_ONLY"])
async def test_match_only_articles_are_refused(
    api: Api, world: World, library: Library, level: str
) -> None:
    owner = await world.member(region="EU")
    token = world.token(await world.user(owner))
    create = """mutation($a: String) { articleCreate(input: {kind: CASE_STUDY, title: "T",
      body: "B", audience: $a}) { errors { code field } article { id } } }"""
    for audience in (f"alliance={level}", f"region:EU=FULL, member:{owner.id}={level}"):
        result = await api.query(create, {"a": audience}, token=token)
        assert result["articleCreate"] == {
            "errors": [{"code": "VALIDATION", "field": "audience"}],
            "article": None,
        }
    article = await library.article(owner, "alliance=FULL")
    share = """mutation($id: ID!) { articleShare(id: $id, audience: "alliance=MATCH_ONLY") {
      errors { code field } article { audience } } }"""
    result = await api.query(share, {"id": to_global_id("Article", article.id)}, token=token)
    assert result["articleShare"]["errors"] == [{"code": "VALIDATION", "field": "audience"}]
    # Nothing changed: the article is still shared alliance-wide.
    other = world.token(await world.user(await world.member(region="CN")))
    listed = await api.query("query { articles { totalCount } }", token=other)
    assert listed["articles"]["totalCount"] == 1
