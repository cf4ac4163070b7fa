"""The retention job: marks expired records EXPIRED (idempotent, in keyset batches), purges
personal data after the retention period into tombstones, and never purges a held record."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from alliance.indicators import links as link_service
from alliance.indicators import reads as indicator_reads
from alliance.indicators import service as indicator_service
from alliance.indicators import sightings as sighting_service
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import ImageSegment, Indicator, Link, Sighting
from alliance.indicators.vocabulary import IndicatorStatus, LinkType, SightingKind
from alliance.members.models import Member
from alliance.retention import job as retention_job
from alliance.retention import settings as retention_settings
from alliance.retention.job import TOMBSTONE
from alliance.retention.settings import RetentionChanges
from sharing import SYSTEM_VIEWER
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


async def _load(world: World, record_id: uuid.UUID) -> Indicator:
    async with world.db.session() as session:
        found = await session.get(Indicator, record_id)
        assert found is not None
        return found


async def _owner_sees(world: World, owner: Member, record_id: uuid.UUID) -> bool:
    viewer = member_viewer(owner)
    async with world.db.viewer_session(viewer) as session:
        return record_id in await indicator_reads.by_ids(session, viewer=viewer, ids=[record_id])


async def test_the_job_marks_expired_records_in_batches_and_is_idempotent(
    world: World, intel: Intel
) -> None:
    # given five records past their expiry and one live one
    owner = await world.member()
    lapsed = [
        await intel.indicator(owner, written_at=NOW - dt.timedelta(days=740 + i)) for i in range(5)
    ]
    live = await intel.indicator(owner)

    # when the job runs twice, two records per transaction
    first = await retention_job.run(world.db, now=NOW, batch_size=2)
    second = await retention_job.run(world.db, now=NOW, batch_size=2)

    # then the five are EXPIRED once, the live one untouched, nothing purged yet
    assert (first.expired, first.purged) == (5, 0)
    assert (second.expired, second.purged) == (0, 0)
    for record in lapsed:
        assert (await _load(world, record.id)).status is IndicatorStatus.EXPIRED
    assert (await _load(world, live.id)).status is IndicatorStatus.ACTIVE


async def test_the_purge_leaves_tombstones_after_the_retention_period(
    world: World, intel: Intel
) -> None:
    # given a record expired a year ago, one retracted 100 days ago (with a sighting note
    # and a link note), one expired 10 days ago, and one retracted yesterday
    owner, other = await world.member(), await world.member()
    old = await intel.indicator(owner, written_at=NOW - dt.timedelta(days=3 * 365))
    retracted = await intel.indicator(owner, external_id="case-9")
    recent = await intel.indicator(owner, written_at=NOW - dt.timedelta(days=740))
    fresh_retraction = await intel.indicator(owner)
    async with world.db.viewer_transaction(member_viewer(other)) as session:
        await sighting_service.add(
            session,
            viewer=member_viewer(other),
            indicator_id=retracted.id,
            kind=SightingKind.SEEN,
            note="seller John Doe, +44 20 7946 0000",
        )
    async with world.db.viewer_transaction(member_viewer(owner)) as session:
        await link_service.create(
            session,
            viewer=member_viewer(owner),
            source_id=retracted.id,
            target_id=recent.id,
            link_type=LinkType.SAME_OPERATOR,
            note="same person",
        )
        await indicator_service.retract(
            session, viewer=member_viewer(owner), indicator_id=retracted.id, now=NOW - 100 * DAY
        )
        await indicator_service.retract(
            session, viewer=member_viewer(owner), indicator_id=fresh_retraction.id, now=NOW - DAY
        )

    # when the job runs (default retention: 90 days)
    report = await retention_job.run(world.db, now=NOW)

    # then the two older ones are tombstones: no value, key, external id or notes left;
    # id, owner, kind, status and dates stay for the feed's REMOVE(id, DELETED)
    assert report.purged == 2
    for record, status in ((old, IndicatorStatus.EXPIRED), (retracted, IndicatorStatus.RETRACTED)):
        stone = await _load(world, record.id)
        assert (stone.value, stone.match_key, stone.extra, stone.external_id) == (
            TOMBSTONE,
            TOMBSTONE,
            {},
            None,
        )
        assert (stone.owner_member_id, stone.kind, stone.status) == (owner.id, record.kind, status)
        assert stone.purged_at is not None
        assert stone.expires_at is not None
        assert not await _owner_sees(world, owner, record.id)
    async with world.db.session() as session:
        notes = await session.scalars(
            select(Sighting.note).where(Sighting.indicator_id == retracted.id)
        )
        assert list(notes) == [None]
        assert list(await session.scalars(select(Link.note))) == [None]
    # and the recent ones keep their data (the owner still sees them)
    for record in (recent, fresh_retraction):
        kept = await _load(world, record.id)
        assert kept.value == record.value
        assert kept.purged_at is None
        assert await _owner_sees(world, owner, record.id)

    # the link to the purged record is gone from the owner's view of the kept one
    async with world.db.viewer_session(member_viewer(owner)) as session:
        links = await link_service.of_indicators(
            session, viewer=member_viewer(owner), indicator_ids=[recent.id]
        )
    assert links.get(recent.id, []) == []

    # a second run purges nothing more
    assert (await retention_job.run(world.db, now=NOW)).purged == 0


async def test_a_legal_hold_blocks_the_purge_until_it_is_cleared(
    world: World, intel: Intel
) -> None:
    owner = await world.member()
    record = await intel.indicator(owner, written_at=NOW - dt.timedelta(days=3 * 365))
    admin = member_viewer(owner)
    async with world.db.viewer_transaction(admin) as session:
        await indicator_service.set_legal_hold(
            session, viewer=admin, indicator_id=record.id, hold=True, reason="Court case 17"
        )

    held = await retention_job.run(world.db, now=NOW)

    assert (held.expired, held.purged, held.held) == (1, 0, 1)
    kept = await _load(world, record.id)
    assert kept.value == record.value
    assert kept.status is IndicatorStatus.EXPIRED
    assert await _owner_sees(world, owner, record.id)

    async with world.db.viewer_transaction(admin) as session:
        await indicator_service.set_legal_hold(
            session, viewer=admin, indicator_id=record.id, hold=False, reason=None
        )
    released = await retention_job.run(world.db, now=NOW)
    assert (released.purged, released.held) == (1, 0)
    assert (await _load(world, record.id)).value == TOMBSTONE


async def test_a_shorter_retention_setting_purges_sooner(world: World, intel: Intel) -> None:
    owner = await world.member()
    record = await intel.indicator(owner, written_at=NOW - dt.timedelta(days=740))
    assert (await retention_job.run(world.db, now=NOW)).purged == 0  # expired 10 days ago

    async with world.db.transaction() as session:
        await retention_settings.change(
            session, viewer=SYSTEM_VIEWER, changes=RetentionChanges(purge_after_days=7)
        )

    assert (await retention_job.run(world.db, now=NOW)).purged == 1
    assert (await _load(world, record.id)).value == TOMBSTONE


async def test_a_purged_image_hash_leaves_the_near_duplicate_index(
    world: World, intel: Intel
) -> None:
    # given two image hashes of one owner, one expired long ago and one current
    owner = await world.member()
    old_hash, new_hash = "a" * 64, "b" * 64
    old = await intel.indicator(
        owner,
        kind=IndicatorKind.IMAGE_PDQ,
        value=old_hash,
        quality=90,
        written_at=NOW - dt.timedelta(days=5 * 365),
    )
    new = await intel.indicator(owner, kind=IndicatorKind.IMAGE_PDQ, value=new_hash, quality=90)

    # when the job purges the old one
    assert (await retention_job.run(world.db, now=NOW)).purged == 1

    # then only the current hash keeps its segments
    async with world.db.session() as session:
        indexed = set(await session.scalars(select(ImageSegment.indicator_id)))
    assert indexed == {new.id}
    assert old.id not in indexed


async def test_a_purge_clears_the_value_copied_into_contact_requests(
    world: World, intel: Intel
) -> None:
    from alliance.contact_requests import service as contact_service
    from alliance.contact_requests.models import ContactRequest

    # given a record another member asked about, retracted 100 days ago
    owner, sender = await world.member(), await world.member()
    record = await intel.indicator(owner, "alliance=FULL")
    async with world.db.viewer_transaction(member_viewer(sender)) as session:
        await contact_service.send(
            session, viewer=member_viewer(sender), message="Hello", indicator_id=record.id
        )
    async with world.db.viewer_transaction(member_viewer(owner)) as session:
        await indicator_service.retract(
            session, viewer=member_viewer(owner), indicator_id=record.id, now=NOW - 100 * DAY
        )

    # when the job purges it
    assert (await retention_job.run(world.db, now=NOW)).purged == 1

    # then the request keeps no copy of the value
    async with world.db.session() as session:
        keys = list(await session.scalars(select(ContactRequest.match_key)))
    assert keys == [TOMBSTONE]
