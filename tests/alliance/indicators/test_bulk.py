"""Bulk writes: idempotent on external ids, the owner's policy applied, only listable
indicators linked or sighted, one audit event per record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from alliance.audit.models import AuditEvent
from alliance.audit.reads import ReadLog
from alliance.errors import InvalidInput, NotFound
from alliance.indicators import bulk, images
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.models import Indicator
from alliance.indicators.normalize import IndicatorValue
from alliance.indicators.vocabulary import IndicatorStatus, LinkType, SightingKind
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from sharing.storage import stored_audiences
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World


def _draft(external_id: str, kind: IndicatorKind, value: IndicatorValue) -> IndicatorDraft:
    return IndicatorDraft(
        kind=kind, value=value, external_id=external_id, audience=parse_audience("alliance=FULL")
    )


DRAFTS = (
    _draft(
        "pay-1",
        IndicatorKind.PAYMENT_ACCOUNT,
        IndicatorValue(value="x@qq.com", provider=Platform.PAYPAL),
    ),
    _draft("mail-1", IndicatorKind.EMAIL, IndicatorValue(value="Orders@Fake-Shop.com")),
    _draft(
        "seller-1",
        IndicatorKind.SELLER_ACCOUNT,
        IndicatorValue(value="fake_store", platform=Platform.TAOBAO),
    ),
)


async def _audit_count(world: World, action: str) -> int:
    async with world.db.session() as session:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return int(await session.scalar(query) or 0)


async def test_a_rerun_adds_nothing_and_the_owners_ceiling_clips_payment_accounts(
    world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    await intel.policy(
        MemberPolicy(
            member_id=owner.id,
            ceilings={
                RuleKey(RecordType.INDICATOR, "PAYMENT_ACCOUNT"): Ceiling(
                    parse_audience("region:EU=FULL")
                )
            },
        )
    )
    viewer = member_viewer(owner)

    async with world.db.viewer_transaction(viewer) as session:
        ids, created = await bulk.create_indicators(session, viewer=viewer, drafts=DRAFTS)
    async with world.db.viewer_transaction(viewer) as session:
        again, created_again = await bulk.create_indicators(session, viewer=viewer, drafts=DRAFTS)
        audiences = await stored_audiences(session, Indicator, ids.values())
        stored = await session.get(Indicator, ids["mail-1"])

    assert sorted(created) == ["mail-1", "pay-1", "seller-1"]
    assert (again, created_again) == (ids, [])
    assert audiences[ids["pay-1"]] == parse_audience("region:EU=FULL")
    assert audiences[ids["mail-1"]] == parse_audience("alliance=FULL")
    assert stored is not None
    assert stored.match_key == "orders@fake-shop.com"
    # the kind's default expiry applies to bulk writes as to single ones (2 years for email)
    assert stored.expires_at is not None
    assert 700 <= (stored.expires_at - stored.created_at).days <= 731
    assert await _audit_count(world, "indicator.create") == 3


async def test_an_invalid_draft_names_its_external_id(world: World) -> None:
    viewer = member_viewer(await world.member())
    broken = _draft("bad-7", IndicatorKind.PHONE, IndicatorValue(value="+86 123"))

    with pytest.raises(InvalidInput, match="bad-7"):
        async with world.db.viewer_transaction(viewer) as session:
            await bulk.create_indicators(session, viewer=viewer, drafts=[*DRAFTS, broken])


async def test_links_and_sightings_only_reach_listable_indicators(
    world: World, intel: Intel
) -> None:
    owner, other, outsider = await world.member(), await world.member(), await world.member()
    shared = await intel.indicator(other, "alliance=FULL")
    private = await intel.indicator(other, f"member:{outsider.id}=FULL")
    mine = await intel.indicator(owner, "alliance=FULL")
    viewer = member_viewer(owner)
    link = bulk.LinkDraft(mine.id, shared.id, LinkType.SHARES_CONTACT)

    async with world.db.viewer_transaction(viewer) as session:
        made = await bulk.add_links(session, viewer=viewer, drafts=[link, link])
        seen = await bulk.add_sightings(
            session, viewer=viewer, drafts=[bulk.SightingDraft(shared.id, SightingKind.SEEN)]
        )
    async with world.db.viewer_transaction(viewer) as session:
        made_again = await bulk.add_links(session, viewer=viewer, drafts=[link])
    with pytest.raises(NotFound):
        async with world.db.viewer_transaction(viewer) as session:
            await bulk.add_sightings(
                session, viewer=viewer, drafts=[bulk.SightingDraft(private.id, SightingKind.SEEN)]
            )

    assert (made, seen, made_again) == (1, 1, 0)


async def test_bulk_retraction_touches_only_the_members_own_records(
    world: World, intel: Intel
) -> None:
    owner, other = await world.member(), await world.member()
    mine = await intel.indicator(owner, "alliance=FULL")
    theirs = await intel.indicator(other, "alliance=FULL")
    viewer = member_viewer(owner)

    async with world.db.viewer_transaction(viewer) as session:
        done = await bulk.retract_indicators(session, viewer=viewer, ids=[mine.id, theirs.id])
    async with world.db.session() as session:
        rows = {
            row.id: (row.status, row.retracted_at is not None)
            for row in await session.execute(
                select(Indicator.id, Indicator.status, Indicator.retracted_at)
            )
        }

    assert done == 1
    # the retraction time starts the retention clock (docs/retention.md)
    assert rows == {
        mine.id: (IndicatorStatus.RETRACTED, True),
        theirs.id: (IndicatorStatus.ACTIVE, False),
    }


async def test_bulk_image_hashes_are_found_by_similar_images(world: World) -> None:
    # given an image hash written in bulk
    owner = await world.member()
    viewer = member_viewer(owner)
    pdq = "f0" * 32
    draft = _draft("img-1", IndicatorKind.IMAGE_PDQ, IndicatorValue(value=pdq, quality=80))
    async with world.db.viewer_transaction(viewer) as session:
        ids, _ = await bulk.create_indicators(session, viewer=viewer, drafts=[draft])

    # when its owner looks for a near duplicate (3 bits away)
    near = f"{int(pdq, 16) ^ 0b10101:064x}"
    async with world.db.viewer_session(viewer) as session:
        found = await images.similar_images(
            session, viewer=viewer, reads=ReadLog(), pdq=near, quality=80
        )

    # then the bulk-written hash is found at its distance
    assert [(m.indicator.indicator.id, m.distance) for m in found] == [(ids["img-1"], 3)]


async def test_repeated_external_ids_in_one_write_are_a_field_error(world: World) -> None:
    owner = await world.member()
    viewer = member_viewer(owner)
    twice = [DRAFTS[1], _draft("mail-1", IndicatorKind.EMAIL, IndicatorValue(value="b@c.com"))]
    with pytest.raises(InvalidInput) as refused:
        async with world.db.viewer_transaction(viewer) as session:
            await bulk.create_indicators(session, viewer=viewer, drafts=twice)
    assert refused.value.field == "externalId"
