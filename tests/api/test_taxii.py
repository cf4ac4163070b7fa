"""The read-only TAXII 2.1 server through the real app (docs/taxii.md): the same
visibility as `indicators`, paging over the change feed, TAXII's errors and media type."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
import stix2
from sqlalchemy import text
from stix2validator import ValidationOptions, validate_instance

from alliance.db import Database
from alliance.indicators.models import Indicator
from alliance.members.models import Member
from alliance.stix.collections import COLLECTIONS
from schema.ids import to_global_id
from sharing import Scope
from sharing.audience import Tlp
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/alliance"
ALL, NAMED, ANONYMOUS = (c.id for c in COLLECTIONS)
PATIENCE = 2_000


def sdo_id(record: Indicator) -> str:
    return f"indicator--{record.id}"


async def _token(world: World, member: Member) -> str:
    return world.token(await world.user(member))


async def get(api: Api, path: str, token: str | None, **params: Any) -> httpx.Response:
    headers = {"Accept": TAXII}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await api.client.get(path, params=params, headers=headers)


async def _settled(api: Api, path: str, token: str, **params: Any) -> httpx.Response:
    """The answer once no change waits behind it. On PostgreSQL the feed waits for
    transactions open anywhere in the cluster (other test runs): the server says so with
    X-Alliance-Pending, and the same request is made again, as a client would poll."""
    for _ in range(PATIENCE):
        response = await get(api, path, token, **params)
        if response.headers.get("X-Alliance-Pending") != "true":
            return response
        await asyncio.sleep(0.01)
    raise AssertionError(f"still pending after {PATIENCE} polls")


async def _ok(api: Api, path: str, token: str, **params: Any) -> dict[str, Any]:
    response = await _settled(api, path, token, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == TAXII
    body: dict[str, Any] = response.json()
    return body


async def _all_ids(api: Api, token: str, collection: str = ALL, **params: Any) -> list[str]:
    body = await _ok(api, f"{ROOT}/collections/{collection}/objects/", token, **params)
    assert body["more"] is False
    return [o["id"] for o in body.get("objects", [])]


async def test_discovery_api_root_and_collections(api: Api, world: World) -> None:
    token = await _token(world, await world.member())

    discovery = await _ok(api, "/taxii2/", token)
    root = await _ok(api, f"{ROOT}/", token)
    listed = await _ok(api, f"{ROOT}/collections/", token)
    one = await _ok(api, f"{ROOT}/collections/{ALL}/", token)

    assert discovery["api_roots"] == [discovery["default"]]
    assert discovery["default"].endswith("/taxii2/alliance/")
    assert root["versions"] == [TAXII]
    assert [c["id"] for c in listed["collections"]] == [ALL, NAMED, ANONYMOUS]
    assert one["can_read"] is True
    assert one["can_write"] is False
    assert one["media_types"] == ["application/stix+json;version=2.1"]


async def test_no_token_is_401_and_a_token_without_the_right_is_403(api: Api, world: World) -> None:
    member = await world.member()
    sync_only = world.token(await world.client(member, scopes=(Scope.SYNC,)))

    anonymous = await get(api, f"{ROOT}/collections/", None)
    forged = await get(api, f"{ROOT}/collections/", "not-a-token")
    refused = await get(api, f"{ROOT}/collections/{ALL}/objects/", sync_only)

    assert anonymous.status_code == 401
    assert anonymous.json()["http_status"] == "401"
    assert anonymous.headers["content-type"] == TAXII
    assert forged.status_code == 401
    assert forged.json()["http_status"] == "401"
    assert refused.status_code == 403
    assert refused.json() == {
        "title": "Forbidden",
        "http_status": "403",
        "description": "TAXII needs the `indicators:read` right.",
    }


async def test_media_types_methods_and_unknown_collections(api: Api, world: World) -> None:
    token = await _token(world, await world.member())
    auth = {"Authorization": f"Bearer {token}"}

    html = await api.client.get(f"{ROOT}/", headers={**auth, "Accept": "text/html"})
    old = await api.client.get(
        f"{ROOT}/", headers={**auth, "Accept": "application/taxii+json;version=2.0"}
    )
    plain = await api.client.get(f"{ROOT}/", headers={**auth, "Accept": "application/json"})
    post = await api.client.post(f"{ROOT}/collections/{ALL}/objects/", headers=auth, json={})
    unknown = await get(api, f"{ROOT}/collections/{uuid.uuid4()}/objects/", token)

    assert html.status_code == 406
    assert old.status_code == 406
    assert plain.status_code == 200
    assert post.status_code == 405
    assert unknown.status_code == 404
    assert unknown.json()["http_status"] == "404"


async def test_what_the_viewer_may_not_list_is_absent_and_404_like_a_missing_id(
    api: Api, world: World, intel: Intel
) -> None:
    # given records of an owner in CN: shared with EU, with CN only, match-only, private
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    shared = await intel.indicator(owner, "region:EU=FULL")
    hidden = [
        await intel.indicator(owner, "region:CN=FULL"),
        await intel.indicator(owner, "alliance=MATCH_ONLY"),
        await intel.indicator(owner, ""),
    ]
    token = await _token(world, viewer)

    # when the viewer lists objects and the manifest, and asks for each record by id
    listed = await _all_ids(api, token)
    manifest = await _ok(api, f"{ROOT}/collections/{ALL}/manifest/", token)
    matched = await _all_ids(api, token, **{"match[id]": ",".join(sdo_id(r) for r in hidden)})
    missing = await get(api, f"{ROOT}/collections/{ALL}/objects/indicator--{uuid.uuid4()}/", token)

    # then only the shared record appears, and a hidden one is a 404 exactly like a missing id
    assert listed == [sdo_id(shared)]
    assert [o["id"] for o in manifest["objects"]] == [sdo_id(shared)]
    assert matched == []
    assert missing.status_code == 404
    for record in hidden:
        for tail in ("", "versions/"):
            path = f"{ROOT}/collections/{ALL}/objects/{sdo_id(record)}/{tail}"
            response = await get(api, path, token)
            assert response.status_code == 404
            assert response.json() == missing.json()
    found = await _ok(api, f"{ROOT}/collections/{ALL}/objects/{sdo_id(shared)}/", token)
    assert [o["id"] for o in found["objects"]] == [sdo_id(shared)]


async def test_anonymous_records_carry_no_owner(api: Api, world: World, intel: Intel) -> None:
    # given one record shared at FULL and one at ANONYMOUS level
    owner = await world.member(region="CN", name="Maison Secrète SA")
    viewer = await world.member(region="EU")
    full = await intel.indicator(owner, "region:EU=FULL")
    anonymous = await intel.indicator(owner, "region:EU=ANONYMOUS")
    token = await _token(world, viewer)

    body = await _ok(api, f"{ROOT}/collections/{ALL}/objects/", token)
    by_id = {o["id"]: o for o in body["objects"]}

    # then only the FULL one names its owner, and each level has its collection
    assert "created_by_ref" in by_id[sdo_id(full)]
    assert "created_by_ref" not in by_id[sdo_id(anonymous)]
    assert str(owner.id) not in str(by_id[sdo_id(anonymous)])
    assert await _all_ids(api, token, NAMED) == [sdo_id(full)]
    assert await _all_ids(api, token, ANONYMOUS) == [sdo_id(anonymous)]


async def test_paging_with_limit_and_next_returns_every_visible_object_once(
    api: Api, world: World, intel: Intel
) -> None:
    # given 7 records the viewer may list among others it may not
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    visible = set()
    for n in range(7):
        visible.add(sdo_id(await intel.indicator(owner, "region:EU=ANONYMOUS")))
        if n % 2:
            await intel.indicator(owner, "region:CN=FULL")
    token = await _token(world, viewer)

    # when it pages with limit=2, following `next`
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(20):
        response = await _settled(api, f"{ROOT}/collections/{ALL}/objects/", token, **params)
        body = response.json()
        objects = body.get("objects", [])
        assert len(objects) <= 2
        if objects:
            assert (
                response.headers["X-TAXII-Date-Added-First"]
                <= response.headers["X-TAXII-Date-Added-Last"]
            )
        seen.extend(o["id"] for o in objects)
        if not body["more"]:
            break
        params = {"limit": 2, "next": body["next"]}

    # then each visible object came exactly once, and nothing else
    assert sorted(seen) == sorted(visible)
    # and polling later with the last `next` gives nothing new
    assert (await _ok(api, f"{ROOT}/collections/{ALL}/objects/", token, next=body["next"])).get(
        "objects", []
    ) == []


async def test_filters_added_after_type_version_and_bad_parameters(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    first = await intel.indicator(owner, "")
    token = await _token(world, owner)
    path = f"{ROOT}/collections/{ALL}/objects/"
    (stamp,) = (await _ok(api, f"{path}{sdo_id(first)}/versions/", token))["versions"]
    second = await intel.indicator(owner, "")

    assert await _all_ids(api, token, added_after=stamp) == [sdo_id(second)]
    assert await _all_ids(api, token, **{"match[type]": "indicator"}) == [
        sdo_id(first),
        sdo_id(second),
    ]
    assert await _all_ids(api, token, **{"match[type]": "domain-name"}) == []
    assert await _all_ids(api, token, **{"match[version]": stamp}) == [sdo_id(first)]
    assert await _all_ids(api, token, **{"match[version]": "last"}) == [
        sdo_id(first),
        sdo_id(second),
    ]
    for bad in ({"limit": "0"}, {"limit": "x"}, {"added_after": "yesterday"}, {"next": "nope"}):
        response = await get(api, path, token, **bad)
        assert response.status_code == 400, bad
        assert response.json()["http_status"] == "400"


async def test_objects_parse_and_validate_as_stix(api: Api, world: World, intel: Intel) -> None:
    owner = await world.member(region="EU")
    viewer = await world.member(region="CN")
    await intel.indicator(owner, "alliance=FULL")
    await intel.indicator(owner, "alliance=ANONYMOUS")
    token = await _token(world, viewer)

    body = await _ok(api, f"{ROOT}/collections/{ALL}/objects/", token)

    assert len(body["objects"]) == 2
    for obj in body["objects"]:
        assert stix2.parse(obj, allow_custom=True).type == "indicator"
        result = validate_instance(obj, ValidationOptions(version="2.1"))
        assert result.is_valid, [str(e) for e in result.errors]


@pytest.mark.parametrize("level", ["FULL", "ANONYMOUS"])
async def test_a_record_narrowed_away_disappears(
    api: Api, world: World, intel: Intel, level: str
) -> None:
    # given a record the viewer could list, then narrowed to its owner's region only
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    record = await intel.indicator(owner, f"region:EU={level}")
    token = await _token(world, viewer)
    assert await _all_ids(api, token) == [sdo_id(record)]
    owner_token = await _token(world, owner)
    shared = await api.query(
        """mutation($id: ID!) { indicatorShare(id: $id, audience: "region:CN=FULL") {
          errors { code } } }""",
        {"id": to_global_id("Indicator", record.id)},
        token=owner_token,
    )
    assert shared["indicatorShare"]["errors"] == []

    # then TAXII has no tombstone: the object is simply gone
    assert await _all_ids(api, token) == []
    gone = await get(api, f"{ROOT}/collections/{ALL}/objects/{sdo_id(record)}/", token)
    assert gone.status_code == 404


async def test_a_page_walks_a_bounded_part_of_the_feed_and_the_next_one_goes_on(
    api: Api, world: World, intel: Intel
) -> None:
    # given 25 records the viewer may not see, then one it may
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    for _ in range(25):
        await intel.indicator(owner, "region:CN=FULL")
    shared = await intel.indicator(owner, "region:EU=FULL")
    token = await _token(world, viewer)

    # when it pages with limit=1: each request reads at most 20 feed pages of 1 entry
    pages: list[list[str]] = []
    params: dict[str, Any] = {"limit": 1}
    for _ in range(10):
        body = await _ok(api, f"{ROOT}/collections/{ALL}/objects/", token, **params)
        pages.append([o["id"] for o in body.get("objects", [])])
        if not body["more"]:
            break
        params = {"limit": 1, "next": body["next"]}

    # then the first page is empty but says there is more, and the record comes once
    assert pages[0] == []
    assert [i for page in pages for i in page] == [sdo_id(shared)]


async def test_a_former_member_that_retained_its_records_is_named_nowhere(
    api: Api, world: World, intel: Intel
) -> None:
    # given a FULL record of a member, then the member offboarded with RETAIN
    leaver = await world.member(region="CN", name="Leaving Brand SA")
    viewer = await world.member(region="EU")
    record = await intel.indicator(leaver, "alliance=FULL")
    token = await _token(world, viewer)
    assert await _all_ids(api, token, NAMED) == [sdo_id(record)]
    admin = world.token(await world.alliance_admin())
    done = await api.query(
        """mutation($id: ID!) { memberOffboard(id: $id, dataDisposition: RETAIN) {
          errors { code } } }""",
        {"id": to_global_id("Member", leaver.id)},
        token=admin,
    )
    assert done["memberOffboard"]["errors"] == []

    # then the record stays, without its owner, in the anonymous collection
    found = await _ok(api, f"{ROOT}/collections/{ALL}/objects/{sdo_id(record)}/", token)
    (obj,) = found["objects"]
    assert "created_by_ref" not in obj
    assert await _all_ids(api, token, NAMED) == []
    assert await _all_ids(api, token, ANONYMOUS) == [sdo_id(record)]


async def test_tlp_labels_are_marked(api: Api, world: World, intel: Intel) -> None:
    owner = await world.member(region="EU")
    strict = await intel.indicator(owner, "", tlp=Tlp.AMBER_STRICT)
    clear = await intel.indicator(owner, "", tlp=Tlp.CLEAR)
    token = await _token(world, owner)

    body = await _ok(api, f"{ROOT}/collections/{ALL}/objects/", token)
    by_id = {o["id"]: o for o in body["objects"]}

    assert by_id[sdo_id(strict)]["object_marking_refs"] == [stix2.TLP_AMBER.id]
    assert "tlp:amber+strict" in by_id[sdo_id(strict)]["labels"]
    assert by_id[sdo_id(clear)]["object_marking_refs"] == [stix2.TLP_WHITE.id]


async def test_a_change_behind_an_open_transaction_waits_and_the_page_says_so(
    db: Database, api: Api, world: World, intel: Intel
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: its sequence is commit-ordered")
    # given a viewer's collection, and a transaction that stays open (it holds the
    # cluster's xmin back) while a record is shared with the viewer and committed
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    token = await _token(world, viewer)
    async with db.engine.connect() as connection, connection.begin():
        await connection.execute(text("SELECT pg_current_xact_id()"))
        record = await intel.indicator(owner, "region:EU=FULL")
        path = f"{ROOT}/collections/{ALL}/objects/"
        waiting = await get(api, path, token)

    # then the page held nothing yet, said so, and gave a `next` that delivers the record
    assert waiting.headers["X-Alliance-Pending"] == "true"
    assert "objects" not in waiting.json()
    later = await _ok(api, path, token, next=waiting.json()["next"])
    assert [o["id"] for o in later["objects"]] == [sdo_id(record)]


LISTED = """query($after: String) { indicators(first: 100, after: $after) {
  edges { node { id } } pageInfo { hasNextPage endCursor } } }"""


async def _listed_by_graphql(api: Api, token: str) -> set[str]:
    ids: set[str] = set()
    after = None
    while True:
        page = (await api.query(LISTED, {"after": after}, token=token))["indicators"]
        ids |= {edge["node"]["id"] for edge in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


async def _paged_ids(api: Api, token: str, limit: int) -> list[str]:
    """Every object id of the first collection, following `next`."""
    ids: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    for _ in range(100):
        body = await _ok(api, f"{ROOT}/collections/{ALL}/objects/", token, **params)
        ids += [o["id"] for o in body.get("objects", [])]
        if not body["more"]:
            return ids
        params = {"limit": limit, "next": body["next"]}
    raise AssertionError("more than 100 pages")


async def test_each_viewer_s_collection_is_exactly_what_indicators_lists_to_it(
    api: Api, world: World, intel: Intel
) -> None:
    # given an owner in CN with records of many audiences, and viewers around it
    owner = await world.member(region="CN")
    same_region = await world.member(region="CN")
    elsewhere = await world.member(region="EU")
    named = await world.member(region="AMER")
    competitor = await world.member(region="EU")
    audiences = [
        "alliance=FULL",
        "alliance=ANONYMOUS",
        "alliance=MATCH_ONLY",
        "region:EU=FULL",
        "region:CN=ANONYMOUS",
        f"member:{named.id}=FULL",
        f"alliance=FULL,exclude:{competitor.id}",
        "",
    ]
    records = {await intel.indicator(owner, audience) for audience in audiences}
    by_sdo = {sdo_id(r): to_global_id("Indicator", r.id) for r in records}

    expected = {owner: 8, same_region: 4, elsewhere: 4, named: 4, competitor: 3}
    for viewer, count in expected.items():
        token = await _token(world, viewer)
        # when it reads its collection through TAXII and its list through GraphQL
        taxii = await _paged_ids(api, token, limit=3)
        listed = await _listed_by_graphql(api, token)
        # then they hold the same records, each once
        assert len(taxii) == len(set(taxii)) == count
        assert {by_sdo[i] for i in taxii} == listed
