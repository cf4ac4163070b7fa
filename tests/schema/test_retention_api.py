"""Retention through the API: expired records leave others' views at once, the owner sees
them marked EXPIRED, legal holds are the owner's, and only alliance admins set retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schema.ids import to_global_id
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

THREE_YEARS_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=3 * 365)

LIST = """query { indicators(first: 10) { totalCount edges { node { id status legalHold { reason } } } } }"""
EXPIRED_ONLY = """query { indicators(first: 10, filter: {status: EXPIRED}) { totalCount } }"""
NODE = """query($id: ID!) { node(id: $id) { id ... on Indicator { status expiresAt } } }"""
MATCH = """query($v: String!) { match(values: [{kind: EMAIL, value: $v}]) {
  members indicators { id } } }"""
NESTED = """query($id: ID!) { node(id: $id) { ... on Indicator { links { target { id } } } } }"""
HOLD = """mutation($id: ID!, $hold: Boolean!, $reason: String) {
  indicatorLegalHoldSet(id: $id, hold: $hold, reason: $reason) {
    errors { code field } indicator { legalHold { reason } } } }"""
SETTINGS = """query { retentionSettings { maxExpiryDays purgeAfterDays
  expiryDays { kind days } } }"""
SET = """mutation($input: RetentionSettingsSetInput!) { retentionSettingsSet(input: $input) {
  errors { code field message } settings { purgeAfterDays expiryDays { kind days } } } }"""
CREATE = """mutation($expires: DateTime) { indicatorCreate(input: {
  value: {kind: DOMAIN, value: "fake-bags-outlet.com"}, audience: "alliance=FULL",
  expiresAt: $expires}) { errors { code field } indicator { expiresAt } } }"""


def _ids(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in data["indicators"]["edges"]]


async def test_an_expired_record_leaves_every_other_view_at_once(
    api: Api, world: World, intel: Intel
) -> None:
    # given an alliance-wide record whose default expiry (2 years) passed, with no job run,
    # linked from a live record of the same owner
    owner, other = await world.member(), await world.member(region="CN")
    expired = await intel.indicator(owner, written_at=THREE_YEARS_AGO)
    live = await intel.indicator(owner)
    await intel.link(owner, live, expired)
    theirs = world.token(await world.user(other))
    mine = world.token(await world.user(owner))
    gid = to_global_id("Indicator", expired.id)

    # when another member reads it through every path
    listed = await api.query(LIST, token=theirs)
    node = await api.query(NODE, {"id": gid}, token=theirs)
    matched = await api.query(MATCH, {"v": expired.value}, token=theirs)
    nested = await api.query(NESTED, {"id": to_global_id("Indicator", live.id)}, token=theirs)

    # then it is nowhere: not listed, not counted, no node, no match, no link to it
    assert _ids(listed) == [to_global_id("Indicator", live.id)]
    assert listed["indicators"]["totalCount"] == 1
    assert node["node"] is None
    assert matched["match"] == [{"members": 0, "indicators": []}]
    assert nested["node"]["links"] == []

    # and its owner still sees it, marked EXPIRED, and can filter on that
    own_node = await api.query(NODE, {"id": gid}, token=mine)
    assert own_node["node"]["status"] == "EXPIRED"
    own_list = await api.query(LIST, token=mine)
    assert own_list["indicators"]["totalCount"] == 2
    assert (await api.query(EXPIRED_ONLY, token=mine))["indicators"]["totalCount"] == 1
    own_match = await api.query(MATCH, {"v": expired.value}, token=mine)
    assert own_match["match"][0]["indicators"] == [{"id": gid}]


async def test_the_default_expiry_per_kind_applies_and_a_writer_stays_within_the_maximum(
    api: Api, world: World
) -> None:
    member = await world.member()
    token = world.token(await world.user(member))
    now = dt.datetime.now(dt.UTC)

    # a DOMAIN record gets the default of one year
    created = await api.query(CREATE, {"expires": None}, token=token)
    assert created["indicatorCreate"]["errors"] == []
    expires = dt.datetime.fromisoformat(created["indicatorCreate"]["indicator"]["expiresAt"])
    expires = expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)
    assert abs(expires - (now + dt.timedelta(days=365))) < dt.timedelta(minutes=5)

    # an expiry beyond five years, or in the past, is refused on expiresAt
    for moment in (now + dt.timedelta(days=6 * 365), now - dt.timedelta(days=1)):
        refused = await api.query(CREATE, {"expires": moment.isoformat()}, token=token)
        assert refused["indicatorCreate"]["errors"] == [
            {"code": "VALIDATION", "field": "expiresAt"}
        ]
    # and nothing of a refused write was stored
    listed = await api.query(LIST, token=token)
    assert listed["indicators"]["totalCount"] == 1


async def test_the_legal_hold_is_set_by_the_owners_admins_and_seen_by_the_owner_only(
    api: Api, world: World, intel: Intel
) -> None:
    owner, other = await world.member(), await world.member()
    record = await intel.indicator(owner)
    gid = to_global_id("Indicator", record.id)
    admin = world.token(await world.admin_of(owner))

    # an analyst of the owner may not; another member's admin finds no such record
    analyst = world.token(await world.user(owner, Role.ANALYST))
    denied = await api.query(HOLD, {"id": gid, "hold": True, "reason": "x"}, token=analyst)
    assert denied["indicatorLegalHoldSet"]["errors"] == [{"code": "FORBIDDEN", "field": None}]
    foreign = world.token(await world.admin_of(other))
    missing = await api.query(HOLD, {"id": gid, "hold": True, "reason": "x"}, token=foreign)
    assert missing["indicatorLegalHoldSet"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]

    # a hold needs a reason
    bare = await api.query(HOLD, {"id": gid, "hold": True}, token=admin)
    assert bare["indicatorLegalHoldSet"]["errors"] == [{"code": "VALIDATION", "field": "reason"}]

    held = await api.query(HOLD, {"id": gid, "hold": True, "reason": "Case 17"}, token=admin)
    assert held["indicatorLegalHoldSet"]["indicator"]["legalHold"] == {"reason": "Case 17"}
    others = await api.query(LIST, token=world.token(await world.user(other)))
    assert [e["node"]["legalHold"] for e in others["indicators"]["edges"]] == [None]

    cleared = await api.query(HOLD, {"id": gid, "hold": False}, token=admin)
    assert cleared["indicatorLegalHoldSet"]["indicator"]["legalHold"] is None


async def test_only_alliance_admins_read_and_change_retention_settings(
    api: Api, world: World
) -> None:
    member = await world.member()
    member_admin = world.token(await world.admin_of(member))
    alliance_admin = world.token(await world.alliance_admin())

    # member admins: FORBIDDEN for both
    errors = await api.errors(SETTINGS, token=member_admin)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    refused = await api.query(SET, {"input": {"purgeAfterDays": 1}}, token=member_admin)
    assert refused["retentionSettingsSet"]["errors"][0]["code"] == "FORBIDDEN"

    # the defaults, then a change
    defaults = (await api.query(SETTINGS, token=alliance_admin))["retentionSettings"]
    assert defaults["maxExpiryDays"] == 1825
    assert defaults["purgeAfterDays"] == 90
    assert {"kind": "DOMAIN", "days": 365} in defaults["expiryDays"]
    changed = await api.query(
        SET,
        {"input": {"purgeAfterDays": 30, "expiryDays": [{"kind": "DOMAIN", "days": 180}]}},
        token=alliance_admin,
    )
    assert changed["retentionSettingsSet"]["errors"] == []
    now = (await api.query(SETTINGS, token=alliance_admin))["retentionSettings"]
    assert now["purgeAfterDays"] == 30
    assert {"kind": "DOMAIN", "days": 180} in now["expiryDays"]
    assert {"kind": "EMAIL", "days": 730} in now["expiryDays"]


async def test_bad_retention_values_name_their_field_and_change_nothing(
    api: Api, world: World
) -> None:
    token = world.token(await world.alliance_admin())
    cases = [
        ({"purgeAfterDays": -1}, "purgeAfterDays"),
        ({"maxExpiryDays": 0}, "maxExpiryDays"),
        ({"maxExpiryDays": 400}, "maxExpiryDays"),  # below the 2-year defaults
        ({"expiryDays": [{"kind": "EMAIL", "days": 5000}]}, "expiryDays"),
        (
            {"expiryDays": [{"kind": "EMAIL", "days": 1}, {"kind": "EMAIL", "days": 2}]},
            "expiryDays",
        ),
        ({"purgeAfterDays": 10, "expiryDays": [{"kind": "URL", "days": 0}]}, "expiryDays"),
    ]
    for change, field in cases:
        refused = await api.query(SET, {"input": change}, token=token)
        errors = refused["retentionSettingsSet"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("VALIDATION", field)], change
    settings = (await api.query(SETTINGS, token=token))["retentionSettings"]
    assert settings["purgeAfterDays"] == 90


UPDATE = """mutation($id: ID!) { indicatorUpdate(input: {id: $id, confidence: 90}) {
  errors { code field } } }"""


async def test_an_expired_record_can_no_longer_be_changed_or_sighted(
    api: Api, world: World, intel: Intel
) -> None:
    owner, other = await world.member(), await world.member()
    record = await intel.indicator(owner, written_at=THREE_YEARS_AGO)
    gid = to_global_id("Indicator", record.id)

    changed = await api.query(UPDATE, {"id": gid}, token=world.token(await world.user(owner)))
    sighted = await api.query(
        """mutation($id: ID!) { sightingAdd(input: {indicatorId: $id, kind: SEEN}) {
          errors { code field } } }""",
        {"id": gid},
        token=world.token(await world.user(other)),
    )

    assert changed["indicatorUpdate"]["errors"] == [{"code": "ILLEGAL_TRANSITION", "field": "id"}]
    assert sighted["sightingAdd"]["errors"] == [{"code": "NOT_FOUND", "field": "indicatorId"}]
