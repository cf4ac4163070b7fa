"""The single-record mutations and the bulk paths apply the same rules (alliance/indicators/
rules.py): each rule is tried on every path, and each path answers with the same code and
message. Before, bulk retraction took an expired record the single path refused, and a
link's note had no limit on either path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alliance.errors import AllianceError
from alliance.indicators import bulk
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize import IndicatorValue
from alliance.indicators.rules import MAX_NOTE
from alliance.indicators.vocabulary import IndicatorStatus, LinkType, SightingKind
from alliance.members.models import Member
from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World
from tests.schema.bulk import brand, email_item, retract, stored, upsert

THREE_YEARS_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=3 * 365)
CREATE = """mutation($input: IndicatorCreateInput!) { indicatorCreate(input: $input) {
  errors { code field message } } }"""
UPDATE = """mutation($input: IndicatorUpdateInput!) { indicatorUpdate(input: $input) {
  errors { code field message } } }"""
RETRACT_ONE = (
    """mutation($id: ID!) { indicatorRetract(id: $id) { errors { code field message } } }"""
)
SIGHTING = """mutation($input: SightingAddInput!) { sightingAdd(input: $input) {
  errors { code field message } } }"""
LINK = """mutation($input: LinkCreateInput!) { linkCreate(input: $input) {
  errors { code field message } } }"""


async def _single(api: Api, token: str, query: str, variables: dict[str, Any]) -> tuple[str, str]:
    data = await api.query(query, variables, token=token)
    (payload,) = data.values()
    (error,) = payload["errors"]
    return error["code"], error["message"]


def _item(payload: dict[str, Any]) -> tuple[str, str]:
    (result,) = payload["results"]
    assert result["status"] == "REJECTED"
    return result["code"], result["message"]


async def _service(world: World, member: Member, write: Any) -> tuple[str, str]:
    viewer = member_viewer(member)
    with pytest.raises(AllianceError) as refused:
        async with world.db.viewer_transaction(viewer) as session:
            await write(session, viewer)
    return refused.value.code.value, refused.value.message


async def test_an_expired_record_is_neither_retracted_nor_changed_on_any_path(
    world: World, api: Api, intel: Intel
) -> None:
    member = await world.member()
    expired = await intel.indicator(member, external_id="old", written_at=THREE_YEARS_AGO)
    token = world.token(await world.user(member))
    gid = to_global_id("Indicator", expired.id)

    retracted = [
        await _single(api, token, RETRACT_ONE, {"id": gid}),
        _item(await retract(api, token, ids=[gid])),
        _item(await retract(api, token, externalIds=["old"])),
    ]
    changed = [
        await _single(api, token, UPDATE, {"input": {"id": gid, "confidence": 90}}),
        _item(
            await upsert(api, token, [email_item(expired.value, externalId="old", confidence=90)])
        ),
    ]
    async with world.db.viewer_transaction(member_viewer(member)) as session:
        in_bulk = await bulk.retract_indicators(
            session, viewer=member_viewer(member), ids=[expired.id]
        )

    assert set(retracted) == {("ILLEGAL_TRANSITION", "Only an active indicator can be retracted.")}
    assert set(changed) == {("ILLEGAL_TRANSITION", "Only an active indicator can be changed.")}
    assert in_bulk == 0
    (record,) = await stored(world)
    assert (record.status, record.confidence) == (IndicatorStatus.ACTIVE, 50)


async def test_notes_have_one_limit_on_every_path(world: World, api: Api, intel: Intel) -> None:
    member = await world.member()
    source, target = await intel.indicator(member), await intel.indicator(member)
    token = world.token(await world.user(member))
    long_note = "n" * (MAX_NOTE + 1)
    source_id, target_id = (to_global_id("Indicator", r.id) for r in (source, target))

    answers = [
        await _single(
            api,
            token,
            SIGHTING,
            {"input": {"indicatorId": source_id, "kind": "SEEN", "note": long_note}},
        ),
        await _single(
            api,
            token,
            LINK,
            {
                "input": {
                    "sourceId": source_id,
                    "targetId": target_id,
                    "kind": "SAME_OPERATOR",
                    "note": long_note,
                }
            },
        ),
        await _service(
            world,
            member,
            lambda session, viewer: bulk.add_sightings(
                session,
                viewer=viewer,
                drafts=[bulk.SightingDraft(source.id, SightingKind.SEEN, note=long_note)],
            ),
        ),
        await _service(
            world,
            member,
            lambda session, viewer: bulk.add_links(
                session,
                viewer=viewer,
                drafts=[bulk.LinkDraft(source.id, target.id, LinkType.RELATED, note=long_note)],
            ),
        ),
    ]

    assert set(answers) == {("VALIDATION", f"A note has at most {MAX_NOTE} characters.")}


async def test_only_own_brands_on_every_path(world: World, api: Api, intel: Intel) -> None:
    member, other = await world.member(), await world.member()
    theirs = await brand(world, other)
    their_id = to_global_id("Brand", theirs)
    record = await intel.indicator(member)
    token = world.token(await world.user(member))
    value = {"kind": "EMAIL", "value": "brand-test@fake-shop.com"}

    answers = [
        await _single(api, token, CREATE, {"input": {"value": value, "brandIds": [their_id]}}),
        await _single(
            api,
            token,
            UPDATE,
            {"input": {"id": to_global_id("Indicator", record.id), "brandIds": [their_id]}},
        ),
        _item(await upsert(api, token, [{"value": value, "brandIds": [their_id]}])),
        _item(
            await upsert(api, token, [email_item(record.value, brandIds=[their_id])])
        ),  # an update
    ]
    draft = IndicatorDraft(
        kind=IndicatorKind.EMAIL,
        value=IndicatorValue(value="brand-bulk@fake-shop.com"),
        brand_ids=(theirs,),
        external_id="b-1",
    )
    in_bulk = await _service(
        world,
        member,
        lambda session, viewer: bulk.create_indicators(session, viewer=viewer, drafts=[draft]),
    )

    assert set(answers) == {("VALIDATION", "Brands must be brands of your own member.")}
    assert in_bulk[0] == "VALIDATION"
    assert in_bulk[1].endswith("Brands must be brands of your own member.")


async def test_confidence_and_seen_times_on_every_path(
    world: World, api: Api, intel: Intel
) -> None:
    member = await world.member()
    record = await intel.indicator(member)
    token = world.token(await world.user(member))
    gid = to_global_id("Indicator", record.id)
    value = {"kind": "EMAIL", "value": "times@fake-shop.com"}
    before = (record.first_seen - dt.timedelta(days=1)).isoformat()

    confidence = [
        await _single(api, token, CREATE, {"input": {"value": value, "confidence": 101}}),
        await _single(api, token, UPDATE, {"input": {"id": gid, "confidence": 101}}),
        _item(await upsert(api, token, [{"value": value, "confidence": 101}])),
        _item(await upsert(api, token, [email_item(record.value, confidence=101)])),
    ]
    seen = [
        await _single(api, token, UPDATE, {"input": {"id": gid, "lastSeen": before}}),
        _item(await upsert(api, token, [email_item(record.value, lastSeen=before)])),
    ]

    assert set(confidence) == {("VALIDATION", "Confidence is a whole number from 0 to 100.")}
    assert set(seen) == {("VALIDATION", "Last seen cannot be before first seen.")}
