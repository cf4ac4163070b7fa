"""A policy change over more records than it re-applies at once (DESIGN §3): narrowing
takes effect in the change's own transaction, widening follows in batches, and the
service's sweep finishes what a stopped instance left, one instance at a time."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from alliance.config import Settings
from alliance.db import Database
from alliance.indicators.bulk import create_indicators
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator
from alliance.indicators.normalize import IndicatorValue
from alliance.members.models import Member
from alliance.policies.reapply import sweep_lock
from alliance.policies.service import set_policy
from alliance.policies.store import alliance_regions, current_policy
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER, Role
from sharing.audience import Audience, Tlp, parse_audience
from sharing.policy import (
    Ceiling,
    MemberPolicy,
    RecordType,
    RegionFence,
    RuleKey,
    ViewerFacts,
    effective_audience,
    level_for,
)
from sharing.storage import stored_audiences
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World

INLINE = 10  # the test's inline limit: every member below holds more records

SEES = """query($id: ID!, $value: String!) {
  indicators(first: 100) { totalCount edges { node { id owner { name } } } }
  node(id: $id) { id }
  match(values: [{kind: EMAIL, value: $value}]) { members indicators { id } }
}"""


async def _records(
    world: World,
    owner: Member,
    count: int,
    audience: str,
    *,
    kind: IndicatorKind = IndicatorKind.EMAIL,
    tlp: Tlp = Tlp.AMBER,
    personal_data_region: str | None = None,
) -> list[uuid.UUID]:
    """`count` records of `owner` in one bulk write; their ids."""
    tag = uuid.uuid4().hex[:8]
    value = "seller{n}-{tag}@fake-shop.com" if kind is IndicatorKind.EMAIL else "shop{n}-{tag}.com"
    drafts = [
        IndicatorDraft(
            kind=kind,
            value=IndicatorValue(value=value.format(n=n, tag=tag)),
            tlp=tlp,
            audience=parse_audience(audience),
            external_id=f"{tag}-{n}",
            personal_data_region=personal_data_region,
        )
        for n in range(count)
    ]
    viewer = member_viewer(owner)
    async with world.db.viewer_transaction(viewer) as session:
        ids, _created = await create_indicators(session, viewer=viewer, drafts=drafts)
    return list(ids.values())


def _ceilings(**by_kind: str) -> dict[RuleKey, Ceiling]:
    """Ceilings for indicators: `ALL` for every kind, else per kind name."""
    return {
        RuleKey(RecordType.INDICATOR, None if kind == "ALL" else kind): Ceiling(
            parse_audience(audience)
        )
        for kind, audience in by_kind.items()
    }


async def _set(db: Database, policy: MemberPolicy, *, inline_limit: int = INLINE) -> int | None:
    async with db.transaction() as session:
        _, _, reapplied = await set_policy(
            session, viewer=SYSTEM_VIEWER, policy=policy, inline_limit=inline_limit
        )
    return reapplied


async def _versions(db: Database, owner: Member) -> set[int]:
    async with db.session() as session:
        query = select(Indicator.policy_version).where(Indicator.owner_member_id == owner.id)
        return set(await session.scalars(query))


async def _value_of(db: Database, record_id: uuid.UUID) -> str:
    async with db.session() as session:
        indicator = await session.get(Indicator, record_id)
        assert indicator is not None
        return indicator.value


async def _sees(api: Api, token: str, record_id: uuid.UUID, value: str) -> dict[str, Any]:
    variables = {"id": to_global_id("Indicator", record_id), "value": value}
    return await api.query(SEES, variables, token=token)


async def test_narrowing_reaches_every_output_before_any_batch_runs(
    api: Api, world: World, intel: Intel
) -> None:
    # given an EU member holding 50 alliance-wide records (more than are re-applied at
    # once): emails, domains, and TLP:RED emails shared with one CN member by name
    owner = await world.member(region="EU")
    cn, eu_friend, eu_rival = (
        await world.member(region="CN"),
        await world.member(region="EU"),
        await world.member(region="EU"),
    )
    emails = await _records(world, owner, 30, "alliance=FULL")
    domains = await _records(world, owner, 10, "alliance=FULL", kind=IndicatorKind.DOMAIN)
    red = await _records(world, owner, 10, f"member:{cn.id}=FULL", tlp=Tlp.RED)
    tokens = {m: world.token(await world.user(m)) for m in (cn, eu_friend, eu_rival)}
    value, red_value = await _value_of(world.db, emails[0]), await _value_of(world.db, red[0])
    before = await _sees(api, tokens[cn], emails[0], value)
    assert before["indicators"]["totalCount"] == 50

    # when its admins cap emails at region:EU=ANONYMOUS and exclude a rival, and no
    # batch has run yet
    policy = MemberPolicy(
        owner.id,
        ceilings=_ceilings(ALL="alliance=FULL", EMAIL="region:EU=ANONYMOUS"),
        standing_excludes=frozenset({eu_rival.id}),
    )
    assert await _set(world.db, policy) is None
    assert await _versions(world.db, owner) == {0}

    # then the CN member sees no email through any output: list, count, node, match
    cn_sees = await _sees(api, tokens[cn], emails[0], value)
    assert cn_sees["indicators"]["totalCount"] == len(domains)
    listed = {edge["node"]["id"] for edge in cn_sees["indicators"]["edges"]}
    assert listed == {to_global_id("Indicator", d) for d in domains}
    assert cn_sees["node"] is None
    assert cn_sees["match"] == [{"members": 0, "indicators": []}]
    red_seen = await _sees(api, tokens[cn], red[0], red_value)
    assert (red_seen["node"], red_seen["match"][0]["members"]) == (None, 0)
    # nor does the excluded rival, while another EU member sees the emails anonymously
    rival_sees = await _sees(api, tokens[eu_rival], emails[0], value)
    assert (rival_sees["indicators"]["totalCount"], rival_sees["node"]) == (0, None)
    friend_sees = await _sees(api, tokens[eu_friend], emails[0], value)
    owners = {
        edge["node"]["id"]: edge["node"]["owner"]["name"]
        for edge in friend_sees["indicators"]["edges"]
    }
    assert {owners[to_global_id("Indicator", e)] for e in emails} == {None}
    assert friend_sees["indicators"]["totalCount"] == len(emails) + len(domains)


async def test_member_policy_set_narrows_at_once_and_leaves_the_widening_to_the_sweep(
    world: World, settings: Settings
) -> None:
    from alliance.policies.reapply import finish_reapplications, sweep_lock
    from api.app import create_app

    # given a service whose inline limit is 10, and an EU member with 30 records capped
    # at region:EU=FULL
    app = create_app(dataclasses.replace(settings, reapply_inline_limit=INLINE), database=world.db)
    owner, cn = await world.member(region="EU"), await world.member(region="CN")
    await _set(world.db, MemberPolicy(owner.id, ceilings=_ceilings(ALL="region:EU=FULL")))
    emails = await _records(world, owner, 30, "alliance=FULL")
    eu_friend = await world.member(region="EU")
    admin, friend, cn_user = (
        await world.admin_of(owner),
        await world.user(eu_friend),
        await world.user(cn),
    )
    value = await _value_of(world.db, emails[0])
    change = """mutation($m: ID!) { memberPolicySet(input: {memberId: $m, ceilings: [
      {recordType: INDICATOR, audience: "alliance=ANONYMOUS"}]}) { errors { code } reapplied } }"""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api = Api(client)
        # when its admin widens the cap for CN and narrows it for the EU (FULL to
        # ANONYMOUS) while another sweep holds the lock, so no batch can run
        async with sweep_lock(world.db) as held:
            assert held
            variables = {"m": to_global_id("Member", owner.id)}
            done = await api.query(change, variables, token=world.token(admin))
            assert done["memberPolicySet"] == {"errors": [], "reapplied": None}

            # then the EU member no longer learns the owner, and CN sees nothing yet
            seen = await _sees(api, world.token(friend), emails[0], value)
            names = {edge["node"]["owner"]["name"] for edge in seen["indicators"]["edges"]}
            assert (seen["indicators"]["totalCount"], names) == (30, {None})
            cn_sees = await _sees(api, world.token(cn_user), emails[0], value)
            assert (cn_sees["indicators"]["totalCount"], cn_sees["node"]) == (0, None)

        # and the sweep widens it to CN, anonymously
        assert await finish_reapplications(world.db) == 1
        cn_sees = await _sees(api, world.token(cn_user), emails[0], value)
        names = {edge["node"]["owner"]["name"] for edge in cn_sees["indicators"]["edges"]}
        assert (cn_sees["indicators"]["totalCount"], names) == (30, {None})


def _levels(audience: Audience, owner: uuid.UUID, viewers: list[ViewerFacts]) -> list[int]:
    return [
        0 if (level := level_for(viewer, owner, audience)) is None else level.strength
        for viewer in viewers
    ]


CHANGES: dict[
    str, tuple[dict[str, str], dict[str, str], tuple[str, ...], tuple[RegionFence, ...]]
] = {
    # old ceilings, new ceilings, new standing excludes (by name), new fences
    "ceiling to a region": ({}, {"ALL": "region:EU=ANONYMOUS"}, (), ()),
    "ceiling to named members": ({}, {"ALL": "member:{cn}=FULL, member:{eu}=ANONYMOUS"}, (), ()),
    "region ceiling lowered": ({"ALL": "region:EU=FULL"}, {"ALL": "region:EU=MATCH_ONLY"}, (), ()),
    "mixed: narrower for EU, wider for CN": (
        {"ALL": "region:EU=FULL"},
        {"ALL": "alliance=ANONYMOUS"},
        (),
        (),
    ),
    "a standing exclude": ({}, {}, ("eu",), ()),
    "a region fence": ({}, {}, (), (RegionFence("EU", "CN"),)),
    "ceiling per kind": ({}, {"ALL": "alliance=FULL", "EMAIL": "region:CN=FULL"}, (), ()),
}


def _filled(ceilings: dict[str, str], names: dict[str, uuid.UUID]) -> dict[RuleKey, Ceiling]:
    ids = {name: str(member) for name, member in names.items()}
    return _ceilings(**{kind: audience.format(**ids) for kind, audience in ceilings.items()})


@pytest.mark.parametrize("change", CHANGES)
async def test_narrowing_at_once_is_never_wider_than_the_recomputed_audience(
    world: World, change: str
) -> None:
    # given a member's records of several audiences, kinds, labels and data regions
    owner = await world.member(region="EU")
    others = {region: await world.member(region=region) for region in ("EU", "CN", "AMER")}
    names = {"cn": others["CN"].id, "eu": others["EU"].id}
    old, ceilings, excluded, fences = CHANGES[change]
    if old:
        await _set(world.db, MemberPolicy(owner.id, ceilings=_filled(old, names)), inline_limit=99)
    ids = [
        *await _records(world, owner, 4, "alliance=FULL, region:EU=ANONYMOUS"),
        *await _records(world, owner, 4, f"region:CN=FULL, member:{names['eu']}=FULL"),
        *await _records(world, owner, 4, "alliance=ANONYMOUS", kind=IndicatorKind.DOMAIN),
        *await _records(world, owner, 4, f"member:{names['cn']}=FULL", tlp=Tlp.RED),
        *await _records(world, owner, 4, "alliance=FULL", personal_data_region="EU"),
    ]

    # when the new policy is set past the inline limit: narrowed, not yet recomputed
    new = MemberPolicy(
        owner.id,
        ceilings=_filled(ceilings, names),
        standing_excludes=frozenset(names[name] for name in excluded),
        fences=frozenset(fences),
    )
    assert await _set(world.db, new, inline_limit=0) is None
    async with world.db.session() as session:
        narrowed = await stored_audiences(session, Indicator, ids)
        policy, _ = await current_policy(session, owner.id)
        regions = await alliance_regions(session)
        rows = {
            r.id: r for r in await session.scalars(select(Indicator).where(Indicator.id.in_(ids)))
        }

    # then every viewer gets at most what the exact recomputation gives it
    viewers = [ViewerFacts(m.id, m.region_code, True) for m in others.values()]
    exact = {
        rid: effective_audience(
            parse_audience(rows[rid].requested_audience or ""),
            owner_id=owner.id,
            tlp=rows[rid].tlp,
            policy=policy,
            record_type=RecordType.INDICATOR,
            kind=rows[rid].kind.value,
            regions=regions,
            personal_data_region=rows[rid].personal_data_region,
            reapplying=True,
        )
        for rid in ids
    }
    for rid in ids:
        now, then = (
            _levels(narrowed[rid], owner.id, viewers),
            _levels(exact[rid], owner.id, viewers),
        )
        assert all(a <= b for a, b in zip(now, then, strict=True)), (rid, narrowed[rid], exact[rid])

    # and once the sweep has run, every record holds exactly the recomputed audience
    from alliance.policies.reapply import finish_reapplications

    assert await finish_reapplications(world.db) is not None
    async with world.db.session() as session:
        assert await stored_audiences(session, Indicator, ids) == exact


async def test_widening_follows_in_batches_and_the_sweep_finishes_it(
    api: Api, world: World
) -> None:
    from alliance.indicators.audience import reapply_in_batches
    from alliance.policies.reapply import finish_reapplications
    from alliance.policies.store import members_reapplying

    # given 50 records held within region:EU by the owner's ceiling
    owner, cn = await world.member(region="EU"), await world.member(region="CN")
    await _set(world.db, MemberPolicy(owner.id, ceilings=_ceilings(ALL="region:EU=FULL")))
    await _records(world, owner, 50, "alliance=FULL")
    token = world.token(await world.user(cn))
    count = "{ indicators(first: 1) { totalCount } }"

    async def cn_count() -> int:
        total: int = (await api.query(count, token=token))["indicators"]["totalCount"]
        return total

    assert await cn_count() == 0

    # when the ceiling is widened to the alliance: nothing widens inside the change
    await _set(world.db, MemberPolicy(owner.id, ceilings=_ceilings(ALL="alliance=ANONYMOUS")))
    assert await cn_count() == 0

    # then each batch widens its records, and the sweep finishes the rest
    assert await reapply_in_batches(world.db, member_id=owner.id, batch_size=20, max_batches=1) == 1
    assert await cn_count() == 20
    assert await finish_reapplications(world.db, batch_size=20) == 2
    assert await cn_count() == 50
    async with world.db.session() as session:
        assert await members_reapplying(session) == []
    assert await finish_reapplications(world.db) == 0


async def test_a_member_offboarded_with_its_records_withdrawn_is_never_reapplied(
    world: World,
) -> None:
    from alliance.members import service as member_service
    from alliance.members.models import DataDisposition
    from alliance.policies.reapply import finish_reapplications
    from alliance.policies.store import members_reapplying

    # given a member whose widening change still waits for its batches
    owner, cn = await world.member(region="EU"), await world.member(region="CN")
    await _set(world.db, MemberPolicy(owner.id, ceilings=_ceilings(ALL="region:EU=FULL")))
    ids = await _records(world, owner, 20, "alliance=FULL")
    await _set(world.db, MemberPolicy(owner.id, ceilings=_ceilings(ALL="alliance=FULL")))

    # when it is offboarded with its records withdrawn, and then the sweep runs
    async with world.db.transaction() as session:
        await member_service.offboard(
            session, viewer=SYSTEM_VIEWER, member_id=owner.id, disposition=DataDisposition.WITHDRAW
        )
    await finish_reapplications(world.db)

    # then nothing it withdrew is shared again, and nothing is left to sweep
    async with world.db.session() as session:
        stored = await stored_audiences(session, Indicator, ids)
        assert await members_reapplying(session) == []
    cn_facts = ViewerFacts(cn.id, "CN", True)
    assert {level_for(cn_facts, owner.id, audience) for audience in stored.values()} == {None}


def _postgresql_only(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("instances and row locks in the sense of this test exist on PostgreSQL")


async def test_only_one_instance_sweeps_at_a_time(world: World) -> None:
    _postgresql_only(world.db)
    from alliance.policies.reapply import finish_reapplications, sweep_lock
    from alliance.policies.store import members_reapplying

    # given a member's narrowed change waiting for its batches, and two instances
    owner = await world.member(region="EU")
    await _records(world, owner, 30, "alliance=FULL")
    await _set(world.db, MemberPolicy(owner.id, ceilings=_ceilings(ALL="alliance=ANONYMOUS")))
    other_instance = Database(world.db.url)
    try:
        # when one instance holds the sweep lock
        async with sweep_lock(world.db) as held:
            assert held
            # then the other does not sweep, and nothing is re-applied meanwhile
            assert await finish_reapplications(other_instance) is None
            async with world.db.session() as session:
                assert await members_reapplying(session) == [owner.id]
            # nor does a second sweep of the same instance
            assert await finish_reapplications(world.db) is None

        # and once it is released, the other instance finishes the work
        assert await finish_reapplications(other_instance) == 1
        assert await _versions(world.db, owner) == {2 - 1}
    finally:
        await other_instance.dispose()


async def _wait_for_lock_wait(db: Database, task: asyncio.Task[Any]) -> None:
    """Until `task`'s statement waits on a row lock (polled in short steps; bounded)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    for _ in range(200):
        if task.done():
            return
        async with db.session() as session:
            if await session.scalar(waiting):
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the policy change neither finished nor waited within 10 s")


@pytest.mark.parametrize("write", ["create", "share"])
async def test_a_record_written_during_a_policy_change_is_narrowed_by_it(
    world: World, write: str
) -> None:
    _postgresql_only(world.db)
    from alliance.indicators import service as indicator_service

    # given a member with more records than are re-applied at once, one of them private
    owner, cn = await world.member(region="EU"), await world.member(region="CN")
    await _records(world, owner, 20, "alliance=FULL")
    private = (await _records(world, owner, 1, ""))[0]
    viewer = member_viewer(owner)
    draft = IndicatorDraft(
        kind=IndicatorKind.EMAIL,
        value=IndicatorValue(value=f"late-{uuid.uuid4().hex[:8]}@fake-shop.com"),
        audience=parse_audience("alliance=FULL"),
    )
    narrower = MemberPolicy(owner.id, ceilings=_ceilings(ALL="region:EU=FULL"))

    # when a writer has written a record with the old policy, not yet committed, as the
    # change starts: a new record, or an existing one shared with the alliance
    async with world.db.viewer_transaction(viewer) as session:
        if write == "create":
            written = (await indicator_service.create(session, viewer=viewer, draft=draft)).id
        else:
            wide = parse_audience("alliance=FULL")
            await indicator_service.share(
                session, viewer=viewer, indicator_id=private, audience=wide
            )
            written = private
        change = asyncio.create_task(_set(world.db, narrower))
        await _wait_for_lock_wait(world.db, change)
    await change

    # then the record it wrote is narrowed like every other: the CN member cannot see it
    async with world.db.session() as session:
        stored = await stored_audiences(session, Indicator, [written])
    cn_facts = ViewerFacts(cn.id, "CN", True)
    assert level_for(cn_facts, owner.id, stored[written]) is None


async def test_a_narrower_default_reaches_records_that_asked_for_none_at_once(
    api: Api, world: World
) -> None:
    # given a member whose default shares indicators alliance-wide, and records written
    # without an audience (so: "my default")
    owner = await world.member(region="EU")
    reader = world.token(await world.user(await world.member(region="CN"), Role.ANALYST))
    rival = await world.member(region="EU")
    rival_token = world.token(await world.user(rival, Role.ANALYST))
    wide = {RuleKey(RecordType.INDICATOR): parse_audience("alliance=FULL")}
    await _set(world.db, MemberPolicy(owner.id, defaults=wide), inline_limit=99)
    tag = uuid.uuid4().hex[:8]
    drafts = [
        IndicatorDraft(
            kind=IndicatorKind.EMAIL,
            value=IndicatorValue(value=f"by-default{n}-{tag}@fake-shop.com"),
            external_id=f"{tag}-{n}",
        )
        for n in range(INLINE + 2)
    ]
    viewer = member_viewer(owner)
    async with world.db.viewer_transaction(viewer) as session:
        ids, _ = await create_indicators(session, viewer=viewer, drafts=drafts)
    first = next(iter(ids.values()))
    value = await _value_of(world.db, first)
    assert (await _sees(api, reader, first, value))["node"] is not None

    # when its admin narrows the default to its region, excluding a rival, past the
    # inline limit, and no batch may run yet
    narrower = parse_audience(f"region:EU=FULL, exclude:{rival.id}")
    policy = MemberPolicy(owner.id, defaults={RuleKey(RecordType.INDICATOR): narrower})
    async with sweep_lock(world.db) as held:
        assert held
        assert await _set(world.db, policy) is None

        # then the other region and the rival see none of those records at once
        for token in (reader, rival_token):
            seen = await _sees(api, token, first, value)
            assert seen["indicators"]["totalCount"] == 0
            assert seen["node"] is None
            assert seen["match"][0]["indicators"] == []
