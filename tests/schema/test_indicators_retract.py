"""indicatorsRetract through the real endpoint: per-item answers, only the caller's own
records, and another member's id answered exactly like a missing one."""

from __future__ import annotations

import datetime as dt
import uuid

from alliance.indicators.vocabulary import IndicatorStatus
from schema.ids import to_global_id
from sharing import Scope
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.schema.bulk import retract, statuses, stored

THREE_YEARS_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=3 * 365)


async def test_retracts_own_records_once_and_answers_each_item(
    world: World, api: Api, intel: Intel
) -> None:
    member = await world.member()
    first = await intel.indicator(member)
    second = await intel.indicator(member)
    token = world.token(await world.client(member, [Scope.SYNC]))
    ids = [to_global_id("Indicator", record.id) for record in (first, second, first)]

    done = await retract(api, token, ids=ids)
    again = await retract(api, token, ids=ids[:1])

    assert done["errors"] == []
    assert statuses(done) == ["RETRACTED", "RETRACTED", "UNCHANGED"]
    assert [r["id"] for r in done["results"]] == ids
    assert statuses(again) == ["UNCHANGED"]
    assert {r.status for r in await stored(world)} == {IndicatorStatus.RETRACTED}


async def test_retracts_by_external_id(world: World, api: Api, intel: Intel) -> None:
    member = await world.member()
    record = await intel.indicator(member, external_id="case-7")
    token = world.token(await world.user(member))

    done = await retract(api, token, externalIds=["case-7", "case-8"])

    assert [(r["status"], r["id"], r["externalId"], r["field"]) for r in done["results"]] == [
        ("RETRACTED", to_global_id("Indicator", record.id), "case-7", None),
        ("REJECTED", None, "case-8", "externalIds[1]"),
    ]


async def test_another_members_id_looks_like_a_missing_one(
    world: World, api: Api, intel: Intel
) -> None:
    # given another member's record the caller can see, and one it cannot
    owner, caller = await world.member(), await world.member()
    visible = await intel.indicator(owner, "alliance=FULL", external_id="theirs")
    hidden = await intel.indicator(owner, f"alliance=FULL, exclude:{caller.id}")
    token = world.token(await world.user(caller))
    candidates = [
        to_global_id("Indicator", visible.id),
        to_global_id("Indicator", hidden.id),
        to_global_id("Indicator", uuid.uuid4()),
        to_global_id("Member", owner.id),
        "garbage",
    ]

    # when it tries to retract each of them, and the other member's external id
    done = await retract(api, token, ids=candidates)
    by_external = await retract(api, token, externalIds=["theirs"])

    # then every answer is the same NOT_FOUND, and nothing was retracted
    answers = {(r["status"], r["id"], r["code"], r["message"]) for r in done["results"]}
    assert answers == {("REJECTED", None, "NOT_FOUND", "No indicator with this id.")}
    assert [r["field"] for r in done["results"]] == [f"ids[{i}]" for i in range(5)]
    (theirs,) = by_external["results"]
    assert (theirs["status"], theirs["code"]) == ("REJECTED", "NOT_FOUND")
    assert {r.status for r in await stored(world)} == {IndicatorStatus.ACTIVE}


async def test_an_expired_record_is_refused(world: World, api: Api, intel: Intel) -> None:
    member = await world.member()
    expired = await intel.indicator(member, written_at=THREE_YEARS_AGO)
    token = world.token(await world.user(member))

    done = await retract(api, token, ids=[to_global_id("Indicator", expired.id)])

    (result,) = done["results"]
    assert (result["status"], result["code"], result["field"]) == (
        "REJECTED",
        "ILLEGAL_TRANSITION",
        "ids[0]",
    )
    (record,) = await stored(world)
    assert record.status is IndicatorStatus.ACTIVE


async def test_ids_or_external_ids_one_of_them(world: World, api: Api) -> None:
    member = await world.member()
    token = world.token(await world.user(member))

    neither = await retract(api, token)
    both = await retract(api, token, ids=[], externalIds=[])

    for payload in (neither, both):
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION", "ids")]


async def test_without_sync_or_write_scope_it_is_forbidden(
    world: World, api: Api, intel: Intel
) -> None:
    member = await world.member()
    record = await intel.indicator(member)
    reader = world.token(await world.client(member, [Scope.INDICATORS_READ]))

    done = await retract(api, reader, ids=[to_global_id("Indicator", record.id)])

    assert [e["code"] for e in done["errors"]] == ["FORBIDDEN"]
    (kept,) = await stored(world)
    assert kept.status is IndicatorStatus.ACTIVE
