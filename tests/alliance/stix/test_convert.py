"""STIX 2.1 conversion: what a viewer may see, as objects that the library parses and the
OASIS validator accepts; no more of the owner than GraphQL shows."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stix2
from stix2validator import ValidationOptions, validate_string

from alliance.indicators import reads
from alliance.indicators.kinds import IndicatorKind, Platform
from alliance.indicators.models import Indicator
from alliance.indicators.reads import VisibleIndicator
from alliance.members.models import Member
from alliance.stix import EXTENSION_DEFINITIONS, bundle, record_id, record_objects, stix_id
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World

VALUES = {
    IndicatorKind.DOMAIN: "fake-shop.com",
    IndicatorKind.URL: "https://fake-shop.com/bags?id=1",
    IndicatorKind.EMAIL: "obrien@fake-shop.com",
    IndicatorKind.SELLER_ACCOUNT: "seller'123",
    IndicatorKind.TRACKING_NUMBER: "1Z999AA10123456784",
    IndicatorKind.IMAGE_PDQ: "f" * 64,
}


async def _seen(world: World, viewer_member: Member, record: Indicator) -> VisibleIndicator:
    async with world.db.viewer_session(member_viewer(viewer_member)) as session:
        found = await reads.by_ids(session, viewer=member_viewer(viewer_member), ids=[record.id])
    return found[record.id]


def _valid(document: str) -> None:
    result = validate_string(document, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for e in result.errors]


async def test_each_kind_converts_to_objects_that_parse_and_validate(
    world: World, intel: Intel
) -> None:
    # given records of standard and custom kinds, seen by another member at FULL
    owner = await world.member(region="EU")
    viewer = await world.member(region="CN")
    seen = []
    for kind, value in VALUES.items():
        platform = Platform.TAOBAO if kind is IndicatorKind.SELLER_ACCOUNT else None
        record = await intel.indicator(
            owner, "alliance=FULL", kind=kind, value=value, platform=platform, quality=90
        )
        seen.append(await _seen(world, viewer, record))

    # when they are exported as one bundle
    document = bundle(seen).serialize()

    # then the bundle parses, validates, and custom observables name their extension
    _valid(document)
    parsed = stix2.parse(document, allow_custom=True)
    by_type: dict[str, list[Any]] = {}
    for obj in parsed.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert {"domain-name", "url", "email-addr", "indicator", "identity"} <= set(by_type)
    published = {d.id for d in by_type["extension-definition"]}
    for name in ("x-alliance-seller-account", "x-alliance-tracking-number", "x-alliance-pdq-hash"):
        (custom,) = by_type[name]
        (extension,) = custom.extensions
        assert extension == EXTENSION_DEFINITIONS[name].id
        assert extension in published
    assert len(by_type["indicator"]) == len(VALUES)


async def test_ids_are_deterministic_and_lead_back_to_the_record(
    world: World, intel: Intel
) -> None:
    owner = await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    item = await _seen(world, owner, record)

    first = [json.loads(o.serialize()) for o in record_objects(item)]
    again = [json.loads(o.serialize()) for o in record_objects(item)]

    assert first == again
    assert first[1]["id"] == stix_id(record.id)
    assert record_id(first[1]["id"]) == record.id
    assert record_id("indicator--not-a-uuid") is None
    assert record_id(f"identity--{record.id}") is None


@pytest.mark.parametrize(("level", "named"), [("FULL", True), ("ANONYMOUS", False)])
async def test_the_owner_is_named_only_at_full_level(
    world: World, intel: Intel, level: str, named: bool
) -> None:
    # given a record shared with the viewer's region at `level`
    owner = await world.member(region="EU", name="Maison Secrète SA")
    viewer = await world.member(region="CN")
    record = await intel.indicator(owner, f"region:CN={level}")

    document = bundle([await _seen(world, viewer, record)]).serialize()

    # then the owner's name and identity appear at FULL only
    objects = json.loads(document)["objects"]
    indicator = next(o for o in objects if o["type"] == "indicator")
    names = {o["name"] for o in objects if o["type"] == "identity"}
    assert ("created_by_ref" in indicator) is named
    assert ("Maison Secrète SA" in names) is named
    assert str(owner.id) not in document
    _valid(document)
