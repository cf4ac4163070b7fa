"""Bulk writes of indicators as member systems see them: mixed new and known external ids,
a bad draft anywhere refusing the whole write, the owner's excludes holding for every
record, and a write that rolls back leaving nothing (COPY included, on PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select, text

from alliance.audit.models import AuditEvent
from alliance.brands import service as brand_service
from alliance.indicators import bulk
from alliance.indicators import reads as indicator_reads
from alliance.indicators import search as indicator_search
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import ImageSegment, Indicator, indicator_brands
from alliance.indicators.normalize import IndicatorValue
from sharing import SYSTEM_VIEWER
from sharing.audience import Tlp, parse_audience
from sharing.policy import Ceiling, CeilingMode, MemberPolicy, RecordType, RuleKey
from sharing.storage import stored_audiences, tables_of
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World


def _email(external_id: str, value: str, audience: str | None = "alliance=FULL") -> IndicatorDraft:
    return IndicatorDraft(
        kind=IndicatorKind.EMAIL,
        value=IndicatorValue(value=value),
        external_id=external_id,
        audience=None if audience is None else parse_audience(audience),
    )


async def _count(world: World, what: object) -> int:
    async with world.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


async def _brand(world: World, member_id: uuid.UUID) -> uuid.UUID:
    async with world.db.transaction() as session:
        brand = await brand_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=member_id, name=f"Brand {uuid.uuid4().hex[:6]}"
        )
        return brand.id


async def _events(world: World) -> list[str]:
    async with world.db.session() as session:
        query = select(AuditEvent.target_id).where(AuditEvent.action == "indicator.create")
        return sorted(await session.scalars(query))


async def test_a_write_of_new_and_known_external_ids_adds_only_the_new_ones(
    world: World,
) -> None:
    owner = await world.member()
    viewer = member_viewer(owner)
    first = [_email("a", "a@fake-shop.com"), _email("b", "b@fake-shop.com")]
    async with world.db.viewer_transaction(viewer) as session:
        before, _ = await bulk.create_indicators(session, viewer=viewer, drafts=first)

    # when the member system sends b again (with another value), c and d, and " a " padded
    second = [
        _email("b", "changed@fake-shop.com"),
        _email("c", "c@fake-shop.com"),
        _email(" a ", "a2@fake-shop.com"),
        _email("d", "d@fake-shop.com", audience=None),
    ]
    async with world.db.viewer_transaction(viewer) as session:
        ids, created = await bulk.create_indicators(session, viewer=viewer, drafts=second)
        stored = {
            row.external_id: row.value
            for row in await session.execute(select(Indicator.external_id, Indicator.value))
        }

    # then only c and d are written, a and b stay as they were, one audit event each
    assert sorted(created) == ["c", "d"]
    assert (ids["a"], ids["b"]) == (before["a"], before["b"])
    assert stored == {
        "a": "a@fake-shop.com",
        "b": "b@fake-shop.com",
        "c": "c@fake-shop.com",
        "d": "d@fake-shop.com",
    }
    assert await _events(world) == sorted(str(ids[e]) for e in "abcd")


async def test_a_bad_draft_in_the_middle_writes_nothing_and_names_its_position(
    world: World,
) -> None:
    owner = await world.member()
    viewer = member_viewer(owner)
    drafts = [
        _email("ok-1", "one@fake-shop.com"),
        IndicatorDraft(
            kind=IndicatorKind.PHONE, value=IndicatorValue(value="+86 123"), external_id="bad-2"
        ),
        _email("ok-3", "three@fake-shop.com"),
    ]

    with pytest.raises(bulk.InvalidDraft) as refused:
        async with world.db.viewer_transaction(viewer) as session:
            await bulk.create_indicators(session, viewer=viewer, drafts=drafts)

    assert (refused.value.index, refused.value.external_id) == (1, "bad-2")
    assert refused.value.field == "value"
    assert "Indicator 1 (external id bad-2)" in refused.value.message
    assert await _count(world, Indicator) == 0
    assert await _events(world) == []


async def test_a_refused_audience_or_a_foreign_brand_names_the_draft_and_writes_nothing(
    world: World, intel: Intel
) -> None:
    owner, other = await world.member(), await world.member()
    await intel.policy(
        MemberPolicy(
            member_id=owner.id,
            ceilings={
                RuleKey(RecordType.INDICATOR, "EMAIL"): Ceiling(
                    parse_audience("region:EU=FULL"), CeilingMode.REFUSE
                )
            },
        )
    )
    viewer = member_viewer(owner)
    refused_audience = [
        _email("in-eu", "x@fake-shop.com", "region:EU=FULL"),
        _email("wide", "y@fake-shop.com"),
    ]
    theirs = await _brand(world, other.id)
    foreign_brand = [
        _email("in-eu", "x@fake-shop.com", "region:EU=FULL"),
        IndicatorDraft(
            kind=IndicatorKind.EMAIL,
            value=IndicatorValue(value="z@fake-shop.com"),
            external_id="theirs",
            audience=parse_audience("region:EU=FULL"),
            brand_ids=(theirs,),
        ),
    ]

    failures = []
    for drafts in (refused_audience, foreign_brand):
        with pytest.raises(bulk.InvalidDraft) as refused:
            async with world.db.viewer_transaction(viewer) as session:
                await bulk.create_indicators(session, viewer=viewer, drafts=drafts)
        failures.append((refused.value.index, refused.value.field))

    assert failures == [(1, "audience"), (1, "brandIds")]
    assert await _count(world, Indicator) == 0


async def test_a_member_the_owners_policy_excludes_sees_nothing_of_the_write(
    world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    competitor, partner = await world.member(region="EU"), await world.member(region="AMER")
    await intel.policy(
        MemberPolicy(member_id=owner.id, standing_excludes=frozenset({competitor.id}))
    )
    viewer = member_viewer(owner)
    drafts = [
        _email("e-1", "one@fake-shop.com", "alliance=FULL"),
        _email("e-2", "two@fake-shop.com", "alliance=ANONYMOUS"),
        _email("e-3", "three@fake-shop.com", f"member:{competitor.id}=FULL, alliance=FULL"),
        _email("e-4", "four@fake-shop.com", None),
    ]
    async with world.db.viewer_transaction(viewer) as session:
        ids, _ = await bulk.create_indicators(session, viewer=viewer, drafts=drafts)

    seen = {}
    for member in (competitor, partner):
        reader = member_viewer(member)
        async with world.db.viewer_session(reader) as session:
            listed = await indicator_reads.by_ids(session, viewer=reader, ids=list(ids.values()))
            counted = await indicator_search.count(
                session, viewer=reader, wanted=indicator_search.IndicatorFilter()
            )
        seen[member.id] = (sorted(listed), counted.value)

    shared = sorted(ids[e] for e in ("e-1", "e-2", "e-3"))  # e-4: the default is private
    assert seen[competitor.id] == ([], 0)
    assert seen[partner.id] == (shared, 3)


async def test_brands_image_segments_and_audiences_are_stored_as_one_by_one(
    world: World, intel: Intel
) -> None:
    owner, competitor = await world.member(region="EU"), await world.member(region="EU")
    audience = f"region:EU=ANONYMOUS, exclude:{competitor.id}"
    brand = await _brand(world, owner.id)
    viewer = member_viewer(owner)
    pdq = "0f" * 32
    image = IndicatorDraft(
        kind=IndicatorKind.IMAGE_PDQ,
        value=IndicatorValue(value=pdq, quality=90),
        external_id="img",
        brand_ids=(brand, brand),
        audience=parse_audience(audience),
        tlp=Tlp.AMBER,
    )
    async with world.db.viewer_transaction(viewer) as session:
        ids, _ = await bulk.create_indicators(session, viewer=viewer, drafts=[image])
    single = await intel.image(owner, pdq, audience)

    async with world.db.session() as session:
        audiences = await stored_audiences(session, Indicator, [ids["img"], single.id])
        brands = list(await session.execute(select(indicator_brands)))
        segments = {
            rid: sorted(
                await session.scalars(
                    select(ImageSegment.bucket).where(ImageSegment.indicator_id == rid)
                )
            )
            for rid in (ids["img"], single.id)
        }

    assert audiences[ids["img"]] == audiences[single.id]
    assert brands == [(ids["img"], brand)]
    assert segments[ids["img"]] == segments[single.id]
    assert len(segments[single.id]) == 16


async def test_a_write_whose_transaction_rolls_back_leaves_nothing(world: World) -> None:
    owner = await world.member()
    viewer = member_viewer(owner)

    class Later(Exception):
        pass

    async def write_then_fail() -> None:
        async with world.db.viewer_transaction(viewer) as session:
            drafts = [_email("r-1", "r@fake-shop.com")]
            await bulk.create_indicators(session, viewer=viewer, drafts=drafts)
            raise Later

    # when something after the bulk write fails in the same transaction
    with pytest.raises(Later):
        await write_then_fail()

    # then neither the records nor what hangs on them were kept
    counts = [await _count(world, table) for table in (Indicator, tables_of(Indicator).grants)]
    assert counts == [0, 0]
    assert await _events(world) == []


async def test_a_concurrent_write_of_the_same_external_id_is_not_an_error(
    world: World,
) -> None:
    if world.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: the second write waits for the first")
    owner = await world.member()
    viewer = member_viewer(owner)
    first_written, first_done = asyncio.Event(), asyncio.Event()

    async def first() -> dict[str, uuid.UUID]:
        async with world.db.viewer_transaction(viewer) as session:
            ids, _ = await bulk.create_indicators(
                session, viewer=viewer, drafts=[_email("same", "first@fake-shop.com")]
            )
            first_written.set()
            await first_done.wait()  # commits once the second write waits on its row
        return ids

    async def second() -> tuple[dict[str, uuid.UUID], list[str]]:
        async with world.db.viewer_transaction(viewer) as session:
            drafts = [_email("same", "second@fake-shop.com"), _email("other", "o@fake-shop.com")]
            return await bulk.create_indicators(session, viewer=viewer, drafts=drafts)

    # given a write of "same" not committed yet, and a second write of "same" waiting on it
    writing_first = asyncio.create_task(first())
    await first_written.wait()
    writing_second = asyncio.create_task(second())
    for _ in range(1000):  # polls the server's view of the second write, 10 s at most
        if writing_second.done() or await _waiting_on_a_lock(world):
            break
        await asyncio.sleep(0.01)
    # when the first commits
    first_done.set()
    first_ids = await writing_first
    second_ids, created = await writing_second

    # then the second keeps the first's record and adds only its other one
    assert created == ["other"]
    assert second_ids["same"] == first_ids["same"]
    async with world.db.session() as session:
        values = sorted(await session.scalars(select(Indicator.value)))
    assert values == ["first@fake-shop.com", "o@fake-shop.com"]


async def _waiting_on_a_lock(world: World) -> bool:
    async with world.db.session() as session:
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return bool(waiting)
