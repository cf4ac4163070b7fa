"""indicatorsUpsert through the real endpoint: idempotent, per-item answers, only the
caller's own records, nothing of others revealed, all or nothing per call."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import func, select, text

from alliance.db import Database
from alliance.indicators.models import ImageSegment
from alliance.indicators.rules import MAX_BATCH
from schema.ids import to_global_id
from sharing import Scope
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.schema.bulk import (
    UPSERT,
    brand,
    count,
    email_item,
    statuses,
    stored,
    upsert,
)

THREE_YEARS_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=3 * 365)


async def test_a_retry_of_the_same_call_changes_nothing(world: World, api: Api) -> None:
    # given a member system with the `sync` scope only
    member = await world.member()
    token = world.token(await world.client(member, [Scope.SYNC]))
    items = [
        email_item("one@fake-shop.com", externalId="case-1", confidence=70),
        email_item("two@fake-shop.com", externalId="case-2", audience="alliance=FULL"),
        email_item("three@fake-shop.com"),  # keyed on its value
    ]

    # when it sends the same call twice
    first = await upsert(api, token, items)
    again = await upsert(api, token, items)

    # then the first creates all three, the retry finds them unchanged, with the same ids
    assert first["errors"] == []
    assert statuses(first) == ["CREATED"] * 3
    assert statuses(again) == ["UNCHANGED"] * 3
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert [r["externalId"] for r in first["results"]] == ["case-1", "case-2", None]
    records = await stored(world)
    assert len(records) == 3
    assert {to_global_id("Indicator", r.id) for r in records} == {r["id"] for r in first["results"]}


async def test_changed_fields_update_the_record(world: World, api: Api, intel: Intel) -> None:
    member = await world.member()
    mine = await brand(world, member)
    token = world.token(await world.client(member, [Scope.SYNC]))
    await upsert(api, token, [email_item("a@fake-shop.com", externalId="a", confidence=40)])
    item = email_item(
        "a@fake-shop.com",
        externalId="a",
        confidence=90,
        brandIds=[to_global_id("Brand", mine)],
        audience="region:EU=FULL",
    )

    changed = await upsert(api, token, [item])
    again = await upsert(api, token, [item])

    assert statuses(changed) == ["UPDATED"]
    assert statuses(again) == ["UNCHANGED"]
    (record,) = await stored(world)
    assert record.confidence == 90
    assert record.requested_audience == "region:EU=FULL"


async def test_a_mixed_batch_writes_the_valid_items_and_names_each_bad_field(
    world: World, api: Api
) -> None:
    # given another member's brand among the items
    member, other = await world.member(), await world.member()
    theirs = to_global_id("Brand", await brand(world, other))
    token = world.token(await world.user(member))

    # when a batch mixes valid and invalid items, and is sent again
    items = [
        email_item("ok-1@fake-shop.com", externalId="ok-1"),
        email_item("not an email", externalId="bad-value"),
        email_item("ok-2@fake-shop.com", externalId="ok-2"),
        email_item("b@fake-shop.com", externalId="bad-brand", brandIds=[theirs]),
        email_item("c@fake-shop.com", externalId="bad-confidence", confidence=101),
        email_item("d@fake-shop.com", externalId="ok-1"),  # repeats item 0's key
        email_item("e@fake-shop.com", audience="region:XX=FULL"),
    ]
    payload = await upsert(api, token, items)
    retried = await upsert(api, token, items)

    # then the valid ones land and each rejection names its item and field
    assert statuses(payload) == [
        "CREATED", "REJECTED", "CREATED", "REJECTED", "REJECTED", "REJECTED", "REJECTED"
    ]  # fmt: skip
    rejected = {r["index"]: (r["code"], r["field"]) for r in payload["results"] if r["code"]}
    assert rejected == {
        1: ("VALIDATION", "items[1].value"),
        3: ("VALIDATION", "items[3].brandIds"),
        4: ("VALIDATION", "items[4].confidence"),
        5: ("CONFLICT", "items[5].externalId"),
        6: ("VALIDATION", "items[6].audience"),
    }
    assert all(r["id"] is None for r in payload["results"] if r["status"] == "REJECTED")
    assert sorted(r.external_id or "" for r in await stored(world)) == ["ok-1", "ok-2"]
    # and the retry finds what the first call created, and refuses the rest alike
    assert statuses(retried) == [
        "UNCHANGED", "REJECTED", "UNCHANGED", "REJECTED", "REJECTED", "REJECTED", "REJECTED"
    ]  # fmt: skip
    assert [r["id"] for r in retried["results"]] == [r["id"] for r in payload["results"]]


async def test_another_members_external_id_or_value_is_never_theirs_to_overwrite(
    world: World, api: Api, intel: Intel
) -> None:
    # given another member's alliance-wide record, with an external id and a value
    victim, attacker = await world.member(), await world.member()
    target = await intel.indicator(
        victim, "alliance=FULL", value="victim@fake-shop.com", external_id="X-1", confidence=10
    )
    token = world.token(await world.user(attacker))

    # when the attacker upserts that value alone, then with that external id
    by_value = await upsert(api, token, [email_item("victim@fake-shop.com", confidence=98)])
    by_external = await upsert(
        api, token, [email_item("victim@fake-shop.com", externalId="X-1", confidence=99)]
    )

    # then it creates its own records; the victim's is untouched
    assert statuses(by_external) == ["CREATED"]
    assert statuses(by_value) == ["CREATED"]
    target_id = to_global_id("Indicator", target.id)
    assert target_id not in {by_external["results"][0]["id"], by_value["results"][0]["id"]}
    (theirs,) = await stored(world, victim)
    assert (theirs.id, theirs.confidence, theirs.external_id) == (target.id, 10, "X-1")
    assert len(await stored(world, attacker)) == 2


async def test_a_rejection_says_nothing_of_other_members_values(
    world: World, api: Api, intel: Intel
) -> None:
    # given another member holding a brand, an external id and a value
    other, caller = await world.member(), await world.member()
    their_brand = to_global_id("Brand", await brand(world, other))
    await intel.indicator(other, "alliance=FULL", value="held@fake-shop.com", external_id="H-1")
    token = world.token(await world.user(caller))

    # when the caller sends items that differ only in whether another member holds a value
    payload = await upsert(
        api,
        token,
        [
            email_item("held@fake-shop.com", externalId="H-1", confidence=101),
            email_item("fresh@fake-shop.com", externalId="F-1", confidence=101),
            email_item("x@fake-shop.com", brandIds=[their_brand]),
            email_item("y@fake-shop.com", brandIds=[to_global_id("Brand", uuid.uuid4())]),
        ],
    )

    # then the answers are the same but for the position
    answers = [(r["status"], r["code"], r["message"]) for r in payload["results"]]
    assert answers[0] == answers[1]
    assert answers[2] == answers[3]
    assert [r["field"] for r in payload["results"]] == [
        "items[0].confidence", "items[1].confidence", "items[2].brandIds", "items[3].brandIds"
    ]  # fmt: skip


async def test_an_ended_record_is_refused_as_the_single_path_refuses_it(
    world: World, api: Api, intel: Intel
) -> None:
    member = await world.member()
    await intel.indicator(member, external_id="old", written_at=THREE_YEARS_AGO)
    token = world.token(await world.user(member))

    payload = await upsert(api, token, [email_item("x@fake-shop.com", externalId="old")])

    (result,) = payload["results"]
    assert (result["status"], result["code"], result["field"]) == (
        "REJECTED",
        "ILLEGAL_TRANSITION",
        "items[0].externalId",
    )


async def test_what_never_changes_is_refused_naming_the_field(
    world: World, api: Api, intel: Intel
) -> None:
    member = await world.member()
    await intel.indicator(member, value="same@fake-shop.com", external_id="k")
    token = world.token(await world.user(member))

    payload = await upsert(
        api,
        token,
        [email_item("other@fake-shop.com", externalId="k")],
    )
    tlp = await upsert(api, token, [email_item("same@fake-shop.com", externalId="k", tlp="RED")])

    assert [(r["code"], r["field"]) for r in payload["results"]] == [("CONFLICT", "items[0].value")]
    assert [(r["code"], r["field"]) for r in tlp["results"]] == [("CONFLICT", "items[0].tlp")]


async def test_more_than_the_limit_is_refused_whole(world: World, api: Api) -> None:
    member = await world.member()
    token = world.token(await world.client(member, [Scope.SYNC]))
    items = [{"value": {"kind": "EMAIL", "value": f"s{i}@x.com"}} for i in range(MAX_BATCH + 1)]

    payload = await upsert(api, token, items)

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("VALIDATION", "items")]
    assert payload["results"] == []
    assert await count(world) == 0


async def test_the_limit_itself_is_written_and_retried_in_one_call(world: World, api: Api) -> None:
    member = await world.member()
    token = world.token(await world.client(member, [Scope.SYNC]))
    items = [
        {"value": {"kind": "EMAIL", "value": f"s{i}@x.com"}, "externalId": f"e{i}"}
        for i in range(MAX_BATCH)
    ]

    first = await upsert(api, token, items)
    again = await upsert(api, token, items)

    assert set(statuses(first)) == {"CREATED"}
    assert set(statuses(again)) == {"UNCHANGED"}
    assert await count(world) == MAX_BATCH


async def test_without_sync_or_write_scope_it_is_forbidden(world: World, api: Api) -> None:
    member = await world.member()
    reader = world.token(await world.client(member, [Scope.INDICATORS_READ]))

    payload = await upsert(api, reader, [email_item("a@fake-shop.com")])

    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert payload["results"] == []
    assert await count(world) == 0


_REFUSE = {
    "postgresql": [
        "CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
        "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW "
        "WHEN (NEW.action LIKE 'indicator.%') EXECUTE FUNCTION test_refuse_audit()",
    ],
    "sqlite": [
        "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events "
        "WHEN NEW.action LIKE 'indicator.%' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    ],
}
_ALLOW = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS test_refuse_audit ON audit_events",
        "DROP FUNCTION IF EXISTS test_refuse_audit()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS test_refuse_audit"],
}


@pytest.fixture
async def refuse_audit(db: Database) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Makes the audit table refuse indicator events: a write then fails after its
    indicators, audiences and brands were written in the same transaction."""
    engine = db.engine.dialect.name

    async def run(statements: list[str]) -> None:
        async with db.engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))

    async def install() -> None:
        await run(_REFUSE[engine])

    try:
        yield install
    finally:
        await run(_ALLOW[engine])


async def test_a_failure_inside_the_call_leaves_nothing_written(
    world: World, api: Api, intel: Intel, refuse_audit: Callable[[], Awaitable[None]]
) -> None:
    # given a member with one record, and a database that fails the call's last statement
    member = await world.member()
    mine = await brand(world, member)
    existing = await intel.indicator(member, external_id="kept", confidence=20)
    token = world.token(await world.user(member))
    await refuse_audit()

    # when a call creates and updates
    response = await api.post(
        UPSERT,
        {
            "input": {
                "items": [
                    email_item("new@fake-shop.com", brandIds=[to_global_id("Brand", mine)]),
                    email_item(existing.value, externalId="kept", confidence=80),
                ]
            }
        },
        token=token,
    )

    # then it failed as a whole and nothing of it is in the database
    body = response.json()
    payload = (body.get("data") or {}).get("indicatorsUpsert")
    assert payload is None or payload["errors"], body
    records = await stored(world)
    assert [(r.id, r.confidence) for r in records] == [(existing.id, 20)]


async def _statements_for(
    api: Api, world: World, statements: list[str], transactions: list[object], size: int
) -> tuple[int, int]:
    member = await world.member()
    token = world.token(await world.client(member, [Scope.SYNC]))
    items = [email_item(f"s{i}@fake-shop.com", externalId=f"e{i}") for i in range(size)]
    counts = []
    for confidence in (40, 60):  # creates, then updates of every record
        statements.clear()
        transactions.clear()
        changed = [{**item, "confidence": confidence} for item in items]
        payload = await upsert(api, token, changed)
        assert payload["errors"] == []
        assert len(transactions) == 1, statements
        counts.append(len(statements))
    return counts[0], counts[1]


async def test_a_call_costs_as_many_statements_for_400_items_as_for_20(
    world: World, api: Api, statements: list[str], transactions: list[object]
) -> None:
    small = await _statements_for(api, world, statements, transactions, 20)
    large = await _statements_for(api, world, statements, transactions, 400)

    assert small == large, statements
    assert max(large) <= 25, statements


NODE = "query($id: ID!) { node(id: $id) { id } }"


async def test_a_new_audience_changes_who_sees_it_within_the_policy(
    world: World, api: Api, intel: Intel
) -> None:
    # given an EU owner's alliance-wide record, an EU and a CN reader
    owner = await world.member(region="EU")
    eu_reader, cn_reader = await world.member(region="EU"), await world.member(region="CN")
    token = world.token(await world.client(owner, [Scope.SYNC]))
    eu = world.token(await world.user(eu_reader))
    cn = world.token(await world.user(cn_reader))
    item = email_item("n@fake-shop.com", externalId="n", audience="alliance=FULL")
    gid = (await upsert(api, token, [item]))["results"][0]["id"]
    seen_before = await api.query(NODE, {"id": gid}, token=cn)

    # when the member system narrows it to its region
    narrowed = await upsert(api, token, [{**item, "audience": "region:EU=FULL"}])
    seen_narrowed = [(await api.query(NODE, {"id": gid}, token=t))["node"] for t in (eu, cn)]
    # and, once its policy caps indicators at region:EU, asks for alliance-wide again
    ceiling = Ceiling(parse_audience("region:EU=FULL"))
    await intel.policy(MemberPolicy(owner.id, ceilings={RuleKey(RecordType.INDICATOR): ceiling}))
    widened = await upsert(api, token, [item])
    seen_clipped = [(await api.query(NODE, {"id": gid}, token=t))["node"] for t in (eu, cn)]

    # then each is an update, and the policy's ceiling holds
    assert seen_before["node"] == {"id": gid}
    assert statuses(narrowed) == ["UPDATED"]
    assert seen_narrowed == [{"id": gid}, None]
    assert statuses(widened) == ["UPDATED"]
    assert seen_clipped == [{"id": gid}, None]


async def test_an_image_hash_is_written_with_its_segments(world: World, api: Api) -> None:
    member = await world.member()
    token = world.token(await world.user(member))
    pdq = "f" * 32 + "0" * 32
    item = {"value": {"kind": "IMAGE_PDQ", "value": pdq, "quality": 90}, "externalId": "img"}

    payload = await upsert(api, token, [item])

    assert statuses(payload) == ["CREATED"]
    async with world.db.session() as session:
        segments = await session.scalar(select(func.count()).select_from(ImageSegment))
    assert segments == 16


async def test_an_item_without_external_id_updates_the_record_of_its_value(
    world: World, api: Api, intel: Intel
) -> None:
    member = await world.member()
    record = await intel.indicator(member, external_id="mine", confidence=30)
    token = world.token(await world.user(member))

    payload = await upsert(
        api,
        token,
        [
            email_item(record.value.upper(), confidence=80),  # the same value, normalised
            email_item(record.value, externalId="mine", confidence=81),  # the same record
        ],
    )

    first, second = payload["results"]
    assert (first["status"], first["id"], first["externalId"]) == (
        "UPDATED",
        to_global_id("Indicator", record.id),
        "mine",
    )
    assert (second["status"], second["code"]) == ("REJECTED", "CONFLICT")
    (stored_record,) = await stored(world)
    assert stored_record.confidence == 80
