"""Attacks on the indicator API: guessed and mutated ids, aliases fanning out, existence
probing through filters and counts, and "forbidden" answered exactly like "not found"."""

from __future__ import annotations

import base64
import uuid

from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

NODE = "query($id: ID!) { node(id: $id) { id } }"


async def test_guessed_and_mutated_ids_answer_like_missing_ones(
    api: Api, world: World, intel: Intel
) -> None:
    # given a record the CN viewer may not see, and one it may
    owner = await world.member(region="EU")
    hidden = await intel.indicator(owner, "region:EU=FULL")
    shown = await intel.indicator(owner, "alliance=ANONYMOUS")
    viewer = world.token(await world.user(await world.member(region="CN")))
    hidden_id = to_global_id("Indicator", hidden.id)
    candidates = [
        hidden_id,
        to_global_id("Indicator", uuid.uuid4()),
        to_global_id("Sighting", hidden.id),
        to_global_id("Link", hidden.id),
        to_global_id("Member", shown.id),
        hidden_id[:-2] + "==",
        base64.b64encode(b"Indicator:not-a-uuid").decode(),
        "garbage",
    ]

    # when it asks for each of them
    answers = [(await api.post(NODE, {"id": c}, token=viewer)).json() for c in candidates]

    # then every answer is the same null at the same cost, and the visible record resolves
    for answer in answers:
        del answer["extensions"]["cost"]["throttleStatus"]  # the budget left, as time passes
    same = {"requestedQueryCost": 1, "actualQueryCost": 1}
    assert all(a == {"data": {"node": None}, "extensions": {"cost": same}} for a in answers)
    visible = await api.query(NODE, {"id": to_global_id("Indicator", shown.id)}, token=viewer)
    assert visible["node"] == {"id": to_global_id("Indicator", shown.id)}


async def test_aliases_fan_out_to_nothing_more_and_are_capped(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    someone_else = await world.member(region="CN")
    hidden = await intel.indicator(owner, f"member:{someone_else.id}=FULL")
    viewer = world.token(await world.user(await world.member(region="EU")))
    hidden_id = to_global_id("Indicator", hidden.id)
    fields = " ".join(f'a{i}: node(id: "{hidden_id}") {{ id }}' for i in range(30))

    data = await api.query(f"{{ {fields} }}", token=viewer)
    too_many = await api.errors(
        f'{{ {fields} extra: node(id: "{hidden_id}") {{ id }} }}', token=viewer
    )

    assert set(data.values()) == {None}
    assert "aliases" in too_many[0]["message"].lower()


async def test_filters_and_counts_do_not_reveal_invisible_records(
    api: Api, world: World, intel: Intel
) -> None:
    # given a MATCH_ONLY record, a record shared with another region, and an excluded one
    owner = await world.member(region="EU")
    viewer_member = await world.member(region="CN")
    for audience, value in [
        ("alliance=MATCH_ONLY", "probe-one@secret-shop.com"),
        ("region:EU=FULL", "probe-two@secret-shop.com"),
        (f"alliance=FULL, exclude:{viewer_member.id}", "probe-three@secret-shop.com"),
    ]:
        await intel.indicator(owner, audience, value=value)
    token = world.token(await world.user(viewer_member))
    probes = [
        '{ indicators(filter: {valuePrefix: "probe"}) { totalCount edges { node { id } } } }',
        '{ indicators(filter: {kinds: [EMAIL], ownerRegion: "EU"}) { totalCount } }',
        "{ indicators(filter: {minConfidence: 0, maxConfidence: 100}) { totalCount } }",
        "{ indicators(filter: {platform: TAOBAO, status: ACTIVE}) { totalCount } }",
    ]

    # when it probes with filters
    answers = [await api.query(probe, token=token) for probe in probes]

    # then every count is zero, as in an empty alliance
    assert all(a["indicators"]["totalCount"] == 0 for a in answers)
    match = await api.query(
        '{ match(values: [{kind: EMAIL, value: "probe-two@secret-shop.com"},'
        ' {kind: EMAIL, value: "probe-one@secret-shop.com"}]) { members indicators { id } } }',
        token=token,
    )
    # the MATCH_ONLY one tells a holder of the value that one member holds it; the
    # region-fenced one says nothing
    assert match["match"] == [{"members": 0, "indicators": []}, {"members": 1, "indicators": []}]


async def test_brand_filter_never_reveals_the_owner_of_anonymous_records(
    api: Api, world: World, intel: Intel
) -> None:
    from alliance.brands import service as brand_service
    from sharing import SYSTEM_VIEWER

    owner = await world.member(region="EU")
    async with world.db.transaction() as session:
        brand = await brand_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=owner.id, name="Lumen"
        )
    await intel.indicator(owner, "alliance=ANONYMOUS", brand_ids=(brand.id,))
    full = await intel.indicator(owner, "alliance=FULL", brand_ids=(brand.id,))
    token = world.token(await world.user(await world.member(region="CN")))
    query = """query($b: ID!) { indicators(filter: {brandId: $b}) { totalCount
      edges { node { id brands { name } } } } }"""

    data = await api.query(query, {"b": to_global_id("Brand", brand.id)}, token=token)

    assert data["indicators"]["totalCount"] == 1
    assert data["indicators"]["edges"][0]["node"] == {
        "id": to_global_id("Indicator", full.id),
        "brands": [{"name": "Lumen"}],
    }


async def test_writes_on_others_records_answer_like_missing_records(
    api: Api, world: World, intel: Intel
) -> None:
    # given a record another member can see, and a link it cannot remove
    owner = await world.member(region="EU")
    other = await world.member(region="EU")
    visible = await intel.indicator(owner, "alliance=FULL")
    link = await intel.link(owner, visible, await intel.indicator(owner, "alliance=FULL"))
    token = world.token(await world.user(other))
    writes = [
        (
            "mutation($id: ID!) { indicatorRetract(id: $id) { errors { code field message } } }",
            "Indicator",
            visible.id,
        ),
        (
            'mutation($id: ID!) { indicatorShare(id: $id, audience: "alliance=FULL") { errors { code field message } } }',
            "Indicator",
            visible.id,
        ),
        (
            "mutation($id: ID!) { indicatorUpdate(input: {id: $id, confidence: 1}) { errors { code field message } } }",
            "Indicator",
            visible.id,
        ),
        (
            "mutation($id: ID!) { linkRemove(id: $id) { errors { code field message } } }",
            "Link",
            link.id,
        ),
    ]

    for query, type_name, record_id in writes:
        real = await api.query(query, {"id": to_global_id(type_name, record_id)}, token=token)
        missing = await api.query(query, {"id": to_global_id(type_name, uuid.uuid4())}, token=token)
        assert real == missing
        assert next(iter(real.values()))["errors"][0]["code"] == "NOT_FOUND"


async def test_page_size_is_capped_with_a_field_error(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))

    errors = await api.errors("{ indicators(first: 101) { totalCount } }", token=token)

    assert errors[0]["extensions"] == {"code": "VALIDATION", "field": "first"}
