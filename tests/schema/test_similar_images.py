"""similarImages through the API: the quality gate, distances and order, and the sharing
rule (returned exactly where `indicators` lists the record; MATCH_ONLY never)."""

from __future__ import annotations

import random

import pytest

from alliance.indicators import images
from alliance.members.models import Member
from schema.ids import to_global_id
from tests.case_counter import count
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

SIMILAR = """query($pdq: String!, $quality: Int!, $max: Int, $first: Int) {
  similarImages(pdq: $pdq, quality: $quality, maxDistance: $max, first: $first) {
    distance indicator { id value owner { name label } } } }"""
LISTED = """{ indicators(filter: {kinds: [IMAGE_PDQ]}, first: 100) { edges { node { id } } } }"""

QUERY = f"{random.Random(4).getrandbits(256):064x}"


def _near(bits: int) -> str:
    """The query hash with its `bits` lowest bits flipped: distance `bits`."""
    return f"{int(QUERY, 16) ^ ((1 << bits) - 1):064x}"


async def _token(world: World, member: Member) -> str:
    return world.token(await world.user(member))


async def test_near_duplicates_come_nearest_first_with_their_distance(
    api: Api, world: World, intel: Intel
) -> None:
    # given images at distances 0, 5, 31 and 32 from the query
    owner = await world.member(region="EU")
    viewer = await world.member(region="CN")
    stored = {bits: await intel.image(owner, _near(bits)) for bits in (31, 0, 32, 5)}
    # when another member asks for near duplicates
    token = await _token(world, viewer)
    found = (await api.query(SIMILAR, {"pdq": QUERY.upper(), "quality": 60}, token=token))[
        "similarImages"
    ]
    # then it gets those within 31, nearest first, each with its distance
    assert [(f["distance"], f["indicator"]["id"]) for f in found] == [
        (bits, to_global_id("Indicator", stored[bits].id)) for bits in (0, 5, 31)
    ]
    narrow = await api.query(SIMILAR, {"pdq": QUERY, "quality": 60, "max": 5}, token=token)
    assert [f["distance"] for f in narrow["similarImages"]] == [0, 5]
    first = await api.query(SIMILAR, {"pdq": QUERY, "quality": 60, "first": 1}, token=token)
    assert [f["distance"] for f in first["similarImages"]] == [0]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"pdq": QUERY, "quality": 49}, "quality"),
        ({"pdq": QUERY, "quality": 101}, "quality"),
        ({"pdq": "abc", "quality": 90}, "pdq"),
        ({"pdq": QUERY, "quality": 90, "max": 32}, "maxDistance"),
        ({"pdq": QUERY, "quality": 90, "max": -1}, "maxDistance"),
        ({"pdq": QUERY, "quality": 90, "first": 101}, "first"),
    ],
)
async def test_a_poor_or_malformed_query_is_refused_naming_the_field(
    api: Api, world: World, variables: dict[str, object], field: str
) -> None:
    token = await _token(world, await world.member())
    errors = await api.errors(SIMILAR, variables, token=token)
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in errors] == [
        ("VALIDATION", field)
    ]


AUDIENCES = [
    "",
    "alliance=FULL",
    "alliance=ANONYMOUS",
    "alliance=MATCH_ONLY",
    "region:EU=FULL",
    "region:CN=MATCH_ONLY",
    "member:{named}=ANONYMOUS",
    "member:{named}=MATCH_ONLY",
    "alliance=FULL, exclude:{excluded}",
]


async def test_similar_images_returns_exactly_what_the_list_shows(
    api: Api, world: World, intel: Intel
) -> None:
    # given one image per audience, all near the query, and viewers around the owner
    owner = await world.member(region="EU")
    named = await world.member(region="AMER")
    excluded = await world.member(region="EU")
    eu, cn = await world.member(region="EU"), await world.member(region="CN")
    unagreed = await world.member(region="EU", agreed=False)
    for bits, text in enumerate(AUDIENCES):
        await intel.image(owner, _near(bits), text.format(named=named.id, excluded=excluded.id))
    ids_by_distance = {}
    for viewer in (owner, named, excluded, eu, cn, unagreed):
        token = await _token(world, viewer)
        # when it asks for near duplicates and for its list of images
        found = await api.query(SIMILAR, {"pdq": QUERY, "quality": 90}, token=token)
        listed = await api.query(LISTED, token=token)
        # then the two hold the same records: MATCH_ONLY, excluded and unshared ones in neither
        similar = [f["indicator"]["id"] for f in found["similarImages"]]
        assert sorted(similar) == sorted(e["node"]["id"] for e in listed["indicators"]["edges"])
        ids_by_distance[viewer.id] = [f["distance"] for f in found["similarImages"]]
        count("similarImages (viewer x audience)", world.db.dialect, len(AUDIENCES))
    assert ids_by_distance[owner.id] == list(range(len(AUDIENCES)))
    assert ids_by_distance[cn.id] == [1, 2, 8]  # alliance-wide grants
    assert ids_by_distance[named.id] == [1, 2, 6, 8]
    assert ids_by_distance[excluded.id] == [1, 2, 4]
    assert ids_by_distance[unagreed.id] == []


async def test_anonymous_images_do_not_name_their_owner(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    await intel.image(owner, QUERY, "alliance=ANONYMOUS")
    token = await _token(world, await world.member(region="CN"))
    found = await api.query(SIMILAR, {"pdq": QUERY, "quality": 90}, token=token)
    assert [f["indicator"]["owner"] for f in found["similarImages"]] == [
        {"name": None, "label": "a member in EU"}
    ]


def _pair(first: int, second: int) -> str:
    """The query hash with bits `first` and `second` flipped: distance 2."""
    return f"{int(QUERY, 16) ^ (1 << first) ^ (1 << second):064x}"


async def test_images_the_viewer_may_not_list_take_no_place_among_the_results(
    api: Api, world: World, intel: Intel
) -> None:
    # given more near duplicates than a page of results (MAX_RESULTS) that a CN member may
    # not list, all nearer than the two it may list (distances 31 and 32 among them)
    owner = await world.member(region="EU")
    viewer = await world.member(region="CN")
    hidden = ["alliance=MATCH_ONLY", "", f"alliance=FULL, exclude:{viewer.id}", "region:EU=FULL"]
    for number in range(images.MAX_RESULTS + 1):
        pair = divmod(number, 128)
        await intel.image(owner, _pair(8 + pair[0], 128 + pair[1]), hidden[number % 4])
    seen = {bits: await intel.image(owner, _near(bits)) for bits in (3, 31, 32)}
    token = await _token(world, viewer)
    # when it asks for the nearest two, and for all of them
    two = await api.query(SIMILAR, {"pdq": QUERY, "quality": 90, "first": 2}, token=token)
    every = await api.query(SIMILAR, {"pdq": QUERY, "quality": 90, "first": 100}, token=token)
    # then it gets exactly what it would get if the hidden ones did not exist
    expected = [(bits, to_global_id("Indicator", seen[bits].id)) for bits in (3, 31)]
    for found in (two, every):
        assert [(f["distance"], f["indicator"]["id"]) for f in found["similarImages"]] == expected
    # while their owner, who may list them all, gets the nearest page of them
    mine = await api.query(
        SIMILAR, {"pdq": QUERY, "quality": 90, "first": 100}, token=await _token(world, owner)
    )
    assert [f["distance"] for f in mine["similarImages"]] == [2] * images.MAX_RESULTS
