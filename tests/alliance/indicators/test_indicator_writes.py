"""Writing indicators: typed errors, idempotency, corroboration, policies re-applied,
retraction, and the read audit."""

from __future__ import annotations

from sqlalchemy import func, select

from alliance.audit.models import ReadEvent
from alliance.indicators.models import Indicator
from alliance.members.models import Member
from schema.ids import to_global_id
from sharing.storage import stored_audiences
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.schema.feed_replica import Replica

CREATE = """mutation($v: String!, $a: String, $x: String) { indicatorCreate(input: {
  value: {kind: EMAIL, value: $v}, audience: $a, externalId: $x}) {
  errors { code field message } indicator { id audience owner { name } } } }"""
LIST = "{ indicators { totalCount edges { node { id status corroboration { members } } } } }"


async def _count(world: World) -> int:
    async with world.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Indicator)) or 0)


async def test_an_invalid_value_is_a_field_error_and_nothing_is_written(
    api: Api, world: World
) -> None:
    token = world.token(await world.user(await world.member()))

    data = await api.query(CREATE, {"v": "not an address", "a": "alliance=FULL"}, token=token)

    error = data["indicatorCreate"]["errors"][0]
    assert (error["code"], error["field"]) == ("VALIDATION", "value")
    assert data["indicatorCreate"]["indicator"] is None
    assert await _count(world) == 0


async def test_a_malformed_audience_names_the_audience_field(api: Api, world: World) -> None:
    token = world.token(await world.user(await world.member()))

    data = await api.query(CREATE, {"v": "a@shop.com", "a": "everyone=FULL"}, token=token)

    assert data["indicatorCreate"]["errors"][0]["field"] == "audience"
    assert await _count(world) == 0


async def test_external_ids_are_idempotency_keys_per_owner(api: Api, world: World) -> None:
    first_member, second_member = await world.member(), await world.member()
    first = world.token(await world.user(first_member))
    second = world.token(await world.user(second_member))
    variables = {"v": "same@shop.com", "a": "alliance=FULL", "x": "case-7"}

    created = await api.query(CREATE, variables, token=first)
    again = await api.query(CREATE, variables, token=first)
    elsewhere = await api.query(CREATE, variables, token=second)

    assert created["indicatorCreate"]["errors"] == []
    assert again["indicatorCreate"]["errors"][0]["code"] == "CONFLICT"
    assert again["indicatorCreate"]["errors"][0]["field"] == "externalId"
    assert elsewhere["indicatorCreate"]["errors"] == []
    assert await _count(world) == 2
    seen = await api.query(LIST, token=second)
    assert [e["node"]["corroboration"]["members"] for e in seen["indicators"]["edges"]] == [2, 2]


async def test_resending_an_external_id_names_the_record_that_holds_it(
    api: Api, world: World
) -> None:
    token = world.token(await world.user(await world.member()))
    created = await api.query(CREATE, {"v": "first@shop.com", "x": "case-8"}, token=token)
    existing_id = created["indicatorCreate"]["indicator"]["id"]

    resent = await api.query(
        """mutation { indicatorCreate(input: {value: {kind: EMAIL, value: "other@shop.com"},
        externalId: "case-8"}) { errors { code field message existingId } indicator { id } } }""",
        token=token,
    )

    error = resent["indicatorCreate"]["errors"][0]
    assert (error["code"], error["field"]) == ("CONFLICT", "externalId")
    assert error["existingId"] == existing_id
    assert existing_id in error["message"]  # for people who select only the message
    assert await _count(world) == 1


async def test_corroboration_counts_match_only_holders_but_never_invisible_ones(
    api: Api, world: World, intel: Intel
) -> None:
    viewer = await world.member(region="CN")
    value = "shared@counterfeit-shop.com"
    await intel.indicator(await world.member(), "alliance=FULL", value=value)
    await intel.indicator(await world.member(), "alliance=MATCH_ONLY", value=value)
    await intel.indicator(await world.member(), "region:EU=FULL", value=value)
    await intel.indicator(await world.member(), f"alliance=FULL, exclude:{viewer.id}", value=value)

    data = await api.query(LIST, token=world.token(await world.user(viewer)))

    assert data["indicators"]["totalCount"] == 1
    assert data["indicators"]["edges"][0]["node"]["corroboration"]["members"] == 2


async def test_a_policy_change_reapplies_and_tells_who_lost_the_record(
    api: Api, world: World, intel: Intel
) -> None:
    # given an EU member's alliance-wide record, in the synced copies of CN and EU members
    owner = await world.member(region="EU")
    cn, eu = await world.member(region="CN"), await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    copies = {m.id: Replica(api, world.token(await world.user(m))) for m in (cn, eu)}
    for copy in copies.values():
        await copy.pull()

    # when its admin caps indicators at region:EU, anonymously
    query = """mutation($m: ID!) { memberPolicySet(input: {memberId: $m, ceilings: [
      {recordType: INDICATOR, audience: "region:EU=ANONYMOUS", mode: CLIP}]}) {
      errors { code } version reapplied } }"""
    admin = world.token(await world.admin_of(owner))
    result = await api.query(query, {"m": to_global_id("Member", owner.id)}, token=admin)

    # then the record was re-applied: CN lost it, EU sees it without the owner's name
    assert result["memberPolicySet"] == {"errors": [], "version": 1, "reapplied": 1}
    node = "query($id: ID!) { node(id: $id) { ... on Indicator { owner { name label } } } }"
    variables = {"id": to_global_id("Indicator", record.id)}
    assert (await api.query(node, variables, token=world.token(await world.user(cn))))[
        "node"
    ] is None
    seen = await api.query(node, variables, token=world.token(await world.user(eu)))
    assert seen["node"]["owner"] == {"name": None, "label": "a member in EU"}
    # and the change feed tells CN to drop it and EU to update its copy
    gid = to_global_id("Indicator", record.id)
    assert await copies[cn.id].pull() == [
        {"__typename": "RemoveEvent", "id": gid, "reason": "ACCESS_REVOKED"}
    ]
    assert [e["__typename"] for e in await copies[eu.id].pull()] == ["UpsertEvent"]
    assert set(copies[eu.id].records) == {gid}


async def test_a_refusing_ceiling_refuses_a_wider_write(
    api: Api, world: World, intel: Intel
) -> None:
    from sharing.audience import parse_audience
    from sharing.policy import Ceiling, CeilingMode, MemberPolicy, RecordType, RuleKey

    owner = await world.member(region="EU")
    ceiling = Ceiling(parse_audience("region:EU=FULL"), CeilingMode.REFUSE)
    await intel.policy(MemberPolicy(owner.id, ceilings={RuleKey(RecordType.INDICATOR): ceiling}))
    token = world.token(await world.user(owner))

    data = await api.query(CREATE, {"v": "wide@shop.com", "a": "alliance=FULL"}, token=token)

    error = data["indicatorCreate"]["errors"][0]
    assert (error["code"], error["field"]) == ("VALIDATION", "audience")
    assert "region:EU=FULL" in error["message"]
    assert await _count(world) == 0


async def test_without_an_audience_a_record_stays_with_its_owner(api: Api, world: World) -> None:
    owner = await world.member()
    data = await api.query(
        CREATE, {"v": "mine@shop.com"}, token=world.token(await world.user(owner))
    )

    assert data["indicatorCreate"]["indicator"]["audience"] == ""
    other = world.token(await world.user(await world.member()))
    assert (await api.query(LIST, token=other))["indicators"]["totalCount"] == 0


async def test_a_retracted_record_leaves_other_views_but_not_the_owners(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member()
    record = await intel.indicator(owner, "alliance=FULL")
    owner_token = world.token(await world.user(owner))
    query = (
        "mutation($id: ID!) { indicatorRetract(id: $id) { errors { code } indicator { status } } }"
    )

    result = await api.query(query, {"id": to_global_id("Indicator", record.id)}, token=owner_token)

    assert result["indicatorRetract"] == {"errors": [], "indicator": {"status": "RETRACTED"}}
    other = world.token(await world.user(await world.member()))
    assert (await api.query(LIST, token=other))["indicators"]["totalCount"] == 0
    own = await api.query(LIST, token=owner_token)
    assert own["indicators"]["edges"][0]["node"]["status"] == "RETRACTED"


async def test_the_read_audit_records_who_received_which_records_once_per_request(
    api: Api, world: World, intel: Intel
) -> None:
    owner = await world.member()
    records = [await intel.indicator(owner, "alliance=ANONYMOUS") for _ in range(3)]
    reader: Member = await world.member()
    user = await world.user(reader)

    await api.query(LIST, token=world.token(user))

    async with world.db.session() as session:
        events = (await session.scalars(select(ReadEvent))).all()
    assert len(events) == 1
    assert events[0].actor_id == user.id
    assert events[0].operation == "indicators"
    assert sorted(events[0].record_ids) == sorted(str(r.id) for r in records)


async def test_a_member_admin_reads_back_its_policy_and_nobody_elses(
    api: Api, world: World
) -> None:
    owner, other = await world.member(), await world.member()
    admin = world.token(await world.admin_of(owner))
    member_id = to_global_id("Member", owner.id)
    set_policy = """mutation($m: ID!, $x: ID!) { memberPolicySet(input: {memberId: $m,
      defaults: [{recordType: INDICATOR, kind: EMAIL, audience: "region:EU=ANONYMOUS"}],
      ceilings: [{recordType: INDICATOR, audience: "alliance=ANONYMOUS", mode: REFUSE}],
      standingExcludes: [$x], fences: [{dataRegion: "EU", toRegion: "CN"}]}) { errors { code } } }"""
    read = """query($m: ID!) { memberPolicy(memberId: $m) { version
      defaults { recordType kind audience mode } ceilings { audience mode }
      standingExcludes fences { dataRegion toRegion transferBasis } } }"""

    await api.query(
        set_policy, {"m": member_id, "x": to_global_id("Member", other.id)}, token=admin
    )
    mine = await api.query(read, {"m": member_id}, token=admin)
    theirs = await api.query(read, {"m": member_id}, token=world.token(await world.admin_of(other)))

    assert mine["memberPolicy"] == {
        "version": 1,
        "defaults": [
            {
                "recordType": "INDICATOR",
                "kind": "EMAIL",
                "audience": "region:EU=ANONYMOUS",
                "mode": None,
            }
        ],
        "ceilings": [{"audience": "alliance=ANONYMOUS", "mode": "REFUSE"}],
        "standingExcludes": [to_global_id("Member", other.id)],
        "fences": [{"dataRegion": "EU", "toRegion": "CN", "transferBasis": None}],
    }
    assert theirs["memberPolicy"] is None


async def test_batched_reapplication_brings_every_stale_record_up_to_date(
    world: World, intel: Intel
) -> None:
    from alliance.indicators.audience import reapply_in_batches
    from alliance.policies.service import store_policy
    from sharing import SYSTEM_VIEWER
    from sharing.audience import parse_audience
    from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey

    # given seven alliance-wide records, and a new ceiling stored but not yet applied
    owner = await world.member(region="EU")
    records = [await intel.indicator(owner, "alliance=FULL") for _ in range(7)]
    ceiling = Ceiling(parse_audience("region:EU=ANONYMOUS"))
    policy = MemberPolicy(owner.id, ceilings={RuleKey(RecordType.INDICATOR): ceiling})
    async with world.db.transaction() as session:
        await store_policy(session, viewer=SYSTEM_VIEWER, policy=policy)

    # when it is re-applied three records per transaction
    batches = await reapply_in_batches(world.db, member_id=owner.id, batch_size=3)

    # then every record carries the clipped audience, and nothing is left to do
    assert batches == 3
    async with world.db.session() as session:
        stored = await stored_audiences(session, Indicator, [r.id for r in records])
    assert {str(a) for a in stored.values()} == {"region:EU=ANONYMOUS"}
    assert await reapply_in_batches(world.db, member_id=owner.id, batch_size=3) == 0


async def test_a_large_members_policy_is_reapplied_in_batches_after_the_change(
    world: World, intel: Intel
) -> None:
    from alliance.policies.service import reapply_every_member, set_policy
    from sharing import SYSTEM_VIEWER
    from sharing.audience import parse_audience
    from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey

    # given a member holding more records than a policy change re-applies at once
    owner = await world.member(region="EU")
    records = [await intel.indicator(owner, "alliance=FULL") for _ in range(3)]
    ceiling = Ceiling(parse_audience("region:EU=FULL"))
    policy = MemberPolicy(owner.id, ceilings={RuleKey(RecordType.INDICATOR): ceiling})

    # when the policy is set with an inline limit below its record count
    async with world.db.transaction() as session:
        _, version, reapplied = await set_policy(
            session, viewer=SYSTEM_VIEWER, policy=policy, inline_limit=2
        )

    # then the change is stored and its narrowing applied at once; the records are left
    # on their old policy version for the batches
    assert (version, reapplied) == (1, None)
    async with world.db.session() as session:
        narrowed = await stored_audiences(session, Indicator, [r.id for r in records])
        versions = set(
            await session.scalars(
                select(Indicator.policy_version).where(Indicator.owner_member_id == owner.id)
            )
        )
    assert {str(a) for a in narrowed.values()} == {"region:EU=FULL"}
    assert versions == {0}

    # and the batched run (what `alliance policies reapply` does) brings them up to date
    assert await reapply_every_member(world.db) >= 1
    async with world.db.session() as session:
        fresh = await stored_audiences(session, Indicator, [r.id for r in records])
    assert {str(a) for a in fresh.values()} == {"region:EU=FULL"}
    assert await reapply_every_member(world.db) == 0
