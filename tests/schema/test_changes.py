"""The change feed through the real API (DESIGN §4): each way a record leaves a view
gives the right REMOVE to a viewer that could see it, a viewer never learns the id of a
record it never could see, and a viewer whose own situation changed gets RESYNC."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update

from alliance.agreements import service as agreement_service
from alliance.indicators.change_log import indicator_changes
from alliance.indicators.models import Indicator
from alliance.members import service as member_service
from alliance.members.models import Member
from alliance.retention import job as retention_job
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.schema.feed_replica import Replica

SHARE = """mutation($id: ID!, $a: String) { indicatorShare(id: $id, audience: $a) {
  errors { code field } } }"""
RETRACT = "mutation($id: ID!) { indicatorRetract(id: $id) { errors { code } } }"
OFFBOARD = """mutation($id: ID!, $d: DataDisposition!) {
  memberOffboard(id: $id, dataDisposition: $d) { errors { code } } }"""


def gid(record: Indicator) -> str:
    return to_global_id("Indicator", record.id)


async def _replica(api: Api, world: World, member: Member) -> Replica:
    return Replica(api, world.token(await world.user(member)))


async def test_a_new_client_converges_on_what_it_may_list(
    api: Api, world: World, intel: Intel
) -> None:
    # given an owner's records of several audiences and a viewer in EU
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    shared = await intel.indicator(owner, "alliance=FULL")
    regional = await intel.indicator(owner, "region:EU=ANONYMOUS")
    own = await intel.indicator(viewer, "")
    await intel.indicator(owner, "")
    await intel.indicator(owner, "alliance=MATCH_ONLY")
    await intel.indicator(owner, "region:CN=FULL")

    # when the viewer pulls from the start, one log entry per page
    replica = await _replica(api, world, viewer)
    replica.first = 1
    await replica.pull()

    # then its copy is exactly what `indicators` lists to it, its own record included
    assert set(replica.records) == {gid(shared), gid(regional), gid(own)}
    assert set(replica.records) == await replica.listed()
    assert replica.received == set(replica.records)


async def test_each_way_out_gives_its_reason(api: Api, world: World, intel: Intel) -> None:
    # given six records a viewer holds in its copy
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    retracted, narrowed, excluded, expired, purged, kept = [
        await intel.indicator(owner, "alliance=FULL") for _ in range(6)
    ]
    replica = await _replica(api, world, viewer)
    await replica.pull()
    assert len(replica.records) == 6
    owner_token = world.token(await world.user(owner))

    # when the owner retracts one, narrows one, excludes the viewer from one; one expires
    # (its expiry written directly) and one is retracted then purged by the retention job
    for record, audience in (
        (narrowed, "region:CN=FULL"),
        (excluded, f"alliance=FULL, exclude:{viewer.id}"),
    ):
        done = await api.query(SHARE, {"id": gid(record), "a": audience}, token=owner_token)
        assert done["indicatorShare"]["errors"] == []
    for record in (retracted, purged):
        done = await api.query(RETRACT, {"id": gid(record)}, token=owner_token)
        assert done["indicatorRetract"]["errors"] == []
    async with world.db.transaction() as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3650)
        await session.execute(
            update(Indicator).where(Indicator.id == purged.id).values(retracted_at=long_ago)
        )
    await retention_job.purge(world.db, now=dt.datetime.now(dt.UTC))
    async with world.db.transaction() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await session.execute(
            update(Indicator).where(Indicator.id == expired.id).values(expires_at=past)
        )

    # then the next pull removes each with its reason, and keeps the sixth
    await replica.pull()
    assert dict(replica.removes) == {
        gid(retracted): "RETRACTED",
        gid(narrowed): "ACCESS_REVOKED",
        gid(excluded): "ACCESS_REVOKED",
        gid(expired): "EXPIRED",
        gid(purged): "DELETED",
    }
    assert set(replica.records) == {gid(kept)} == await replica.listed()


async def test_expiry_is_reported_when_it_passes_without_any_write(
    api: Api, world: World, intel: Intel
) -> None:
    # given a record in the viewer's copy whose logged expiry then passes: the record
    # and its log say the same expiry, and nothing is written at the moment it passes
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    replica = await _replica(api, world, viewer)
    await replica.pull()
    async with world.db.transaction() as session:
        moment = dt.datetime.now(dt.UTC)
        await session.execute(
            update(Indicator).where(Indicator.id == record.id).values(expires_at=moment)
        )
        # As if it had always been so: only the row the update logged is taken back.
        await session.execute(
            update(indicator_changes)
            .where(indicator_changes.c.record_id == record.id)
            .values(expires_at=moment, at=moment - dt.timedelta(days=1))
        )
        newest = await session.scalar(
            indicator_changes.select()
            .with_only_columns(indicator_changes.c.seq)
            .where(indicator_changes.c.record_id == record.id)
            .order_by(indicator_changes.c.seq.desc())
            .limit(1)
        )
        await session.execute(delete(indicator_changes).where(indicator_changes.c.seq == newest))

    # when the viewer pulls, with no new log entry to read
    events = await replica.pull()

    # then the expiry alone gives REMOVE(EXPIRED), once
    assert events == [{"__typename": "RemoveEvent", "id": gid(record), "reason": "EXPIRED"}]
    assert await replica.pull() == []


async def test_withdraw_offboarding_revokes_the_leavers_records(
    api: Api, world: World, intel: Intel
) -> None:
    # given a viewer holding a record of a member that then leaves with WITHDRAW
    leaver = await world.member(region="CN")
    viewer = await world.member(region="EU")
    record = await intel.indicator(leaver, "alliance=FULL")
    replica = await _replica(api, world, viewer)
    await replica.pull()
    assert set(replica.records) == {gid(record)}
    admin = world.token(await world.alliance_admin())

    # when the member is offboarded
    leaving = {"id": to_global_id("Member", leaver.id), "d": "WITHDRAW"}
    done = await api.query(OFFBOARD, leaving, token=admin)
    assert done["memberOffboard"]["errors"] == []

    # then the record leaves the copy
    await replica.pull()
    assert replica.removes == [(gid(record), "ACCESS_REVOKED")]
    assert replica.records == {}


async def test_a_viewer_never_learns_the_id_of_a_record_it_never_could_see(
    api: Api, world: World, intel: Intel
) -> None:
    # given records a viewer never could list: private, shared with another member,
    # excluding it, MATCH_ONLY, another region; and one it could
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    other = await world.member(region="AMER")
    hidden = [
        await intel.indicator(owner, ""),
        await intel.indicator(owner, f"member:{other.id}=FULL"),
        await intel.indicator(owner, f"alliance=FULL, exclude:{viewer.id}"),
        await intel.indicator(owner, "alliance=MATCH_ONLY"),
        await intel.indicator(owner, "region:CN=FULL"),
    ]
    seen = await intel.indicator(owner, "alliance=FULL")
    replica = await _replica(api, world, viewer)
    first_pull = await replica.pull()
    owner_token = world.token(await world.user(owner))

    # when the owner changes each hidden one (still hidden), then retracts them all
    for record in hidden:
        done = await api.query(
            SHARE, {"id": gid(record), "a": f"member:{other.id}=FULL"}, token=owner_token
        )
        assert done["indicatorShare"]["errors"] == []
    middle_pull = await replica.pull()
    for record in [*hidden, seen]:
        done = await api.query(RETRACT, {"id": gid(record)}, token=owner_token)
        assert done["indicatorRetract"]["errors"] == []
    last_pull = await replica.pull()

    # then no event ever named a hidden record: only the visible one came and went
    assert replica.received == {gid(seen)}
    assert middle_pull == []
    assert [e["__typename"] for e in first_pull] == ["UpsertEvent"]
    assert last_pull == [{"__typename": "RemoveEvent", "id": gid(seen), "reason": "RETRACTED"}]
    # and a client starting from no cursor now hears of none of them, not even the one
    # retracted before it started
    fresh = await _replica(api, world, viewer)
    assert await fresh.pull() == []


async def test_reinstatement_answers_resync(api: Api, world: World, intel: Intel) -> None:
    # given a viewer with a cursor, whose member is then suspended and reinstated
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    replica = await _replica(api, world, viewer)
    await replica.pull()
    async with world.db.transaction() as session:
        await member_service.suspend(session, viewer=SYSTEM_VIEWER, member_id=viewer.id)
    async with world.db.transaction() as session:
        await member_service.reinstate(session, viewer=SYSTEM_VIEWER, member_id=viewer.id)

    # when it pulls with its cursor
    events = await replica.pull()

    # then it is told to start again, and the cursor given replays its view
    assert events[0]["__typename"] == "ResyncEvent"
    assert [e["__typename"] for e in events[1:]] == ["UpsertEvent"]
    assert set(replica.records) == {gid(record)}


async def test_accepting_a_new_agreement_answers_resync(
    api: Api, world: World, intel: Intel
) -> None:
    # given a viewer with a cursor; a new agreement is published and its member accepts it
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    replica = await _replica(api, world, viewer)
    await replica.pull()
    async with world.db.transaction() as session:
        published = await agreement_service.publish(
            session, viewer=SYSTEM_VIEWER, text="The second agreement, antitrust notice included."
        )
    admin = await world.admin_of(viewer)
    async with world.db.transaction() as session:
        await agreement_service.accept(
            session, viewer=world.as_viewer(admin, viewer), version=published.version
        )

    # when it pulls
    events = await replica.pull()

    # then RESYNC, and its copy is rebuilt from the start
    assert events[0]["__typename"] == "ResyncEvent"
    assert set(replica.records) == {gid(record)}


async def test_bad_cursors_and_sizes_are_typed_errors(api: Api, world: World) -> None:
    viewer = await world.member(region="EU")
    token = world.token(await world.user(viewer))
    # (the cost limit would refuse a page of 10,001 events before it runs: none asked for)
    bare = "query Changes($after: String, $first: Int) { changes(after: $after, first: $first) { cursor } }"
    for after, first, field in (
        ("not-a-cursor", 10, "after"),
        ("WzEsMiwzXQ", 10, "after"),  # base64 JSON of the wrong shape
        (None, 10_001, "first"),
        (None, 0, "first"),
    ):
        errors = await api.errors(bare, {"after": after, "first": first}, token=token)
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in errors] == [
            ("VALIDATION", field)
        ]


async def test_retain_offboarding_reattributes_synced_records(
    api: Api, world: World, intel: Intel
) -> None:
    # given a viewer whose copy names the owner of a record
    leaver = await world.member("Leaving Brand SA", region="CN")
    viewer = await world.member(region="EU")
    record = await intel.indicator(leaver, "alliance=FULL")
    replica = await _replica(api, world, viewer)
    await replica.pull()
    assert replica.records[gid(record)]["owner"]["name"] == "Leaving Brand SA"

    # when the owner leaves with RETAIN: its record stays, its row unchanged
    admin = world.token(await world.alliance_admin())
    leaving = {"id": to_global_id("Member", leaver.id), "d": "RETAIN"}
    done = await api.query(OFFBOARD, leaving, token=admin)
    assert done["memberOffboard"]["errors"] == []

    # then the feed sends the record again, attributed to "a former member"
    events = await replica.pull()
    assert [e["record"]["id"] for e in events] == [gid(record)]
    assert replica.records[gid(record)]["owner"] == {"name": None, "label": "a former member"}


async def test_a_member_that_joins_later_never_hears_of_what_left_before(
    api: Api, world: World, intel: Intel
) -> None:
    # given records shared alliance-wide, then retracted, narrowed or expired, before a
    # new member joins (it never could see them)
    owner = await world.member(region="CN")
    early = await world.member(region="EU")
    records = [await intel.indicator(owner, "alliance=FULL") for _ in range(3)]
    kept = await intel.indicator(owner, "alliance=FULL")
    owner_token = world.token(await world.user(owner))
    early_copy = await _replica(api, world, early)
    await early_copy.pull()
    done = await api.query(RETRACT, {"id": gid(records[0])}, token=owner_token)
    assert done["indicatorRetract"]["errors"] == []
    narrowed = {"id": gid(records[1]), "a": "region:CN=FULL"}
    done = await api.query(SHARE, narrowed, token=owner_token)
    assert done["indicatorShare"]["errors"] == []
    async with world.db.transaction() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await session.execute(
            update(Indicator).where(Indicator.id == records[2].id).values(expires_at=past)
        )

    # when a member joins now and syncs from the start, one entry per page
    late = await world.member(region="EU")
    replica = await _replica(api, world, late)
    replica.first = 1
    await replica.pull()

    # then it hears of the record it may list and of nothing else, while the member that
    # held the others is told to drop each
    assert replica.received == {gid(kept)}
    await early_copy.pull()
    assert {rid for rid, _ in early_copy.removes} == {gid(r) for r in records}


async def test_a_full_page_costs_one_point_per_hundred_objects(api: Api, world: World) -> None:
    # given a viewer asking for the largest page, each record with its owner
    viewer = await world.member(region="EU")
    token = world.token(await world.user(viewer))
    query = """query Page { changes(first: 10000) { cursor events {
      ... on UpsertEvent { record { id owner { label } } } } } }"""

    # when it runs, then it is not refused, and costs 1 per 100 objects
    response = await api.post(query, token=token)
    body = response.json()
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["requestedQueryCost"] == -(-(1 + 10_000 * 3) // 100)
