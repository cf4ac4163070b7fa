"""The change feed follows the bulk mutations like any writer (the log is written by the
database): indicatorsUpsert creates and updates reach a viewer's copy, indicatorsRetract
removes them with RETRACTED, and a narrowing upsert with ACCESS_REVOKED."""

from __future__ import annotations

from tests.fixtures.graphql import Api
from tests.fixtures.world import World
from tests.schema.bulk import email_item, retract, statuses, upsert
from tests.schema.feed_replica import Replica


async def test_bulk_writes_reach_synced_copies(api: Api, world: World) -> None:
    # given a viewer's copy and an owner's system pushing three records alliance-wide
    owner = await world.member(region="CN")
    viewer = await world.member(region="EU")
    owner_token = world.token(await world.user(owner))
    replica = Replica(api, world.token(await world.user(viewer)))
    items = [
        email_item(f"bulk{n}@fake-shop.com", externalId=f"x-{n}", audience="alliance=FULL")
        for n in range(3)
    ]
    created = await upsert(api, owner_token, items)
    assert statuses(created) == ["CREATED"] * 3
    ids = [result["id"] for result in created["results"]]
    await replica.pull()
    assert set(replica.records) == set(ids)

    # when it updates one, narrows another away from the viewer, and retracts the third
    changed = await upsert(
        api,
        owner_token,
        [
            email_item("bulk0@fake-shop.com", externalId="x-0", audience="alliance=FULL",
                       confidence=99),
            email_item("bulk1@fake-shop.com", externalId="x-1", audience="region:CN=FULL"),
        ],
    )  # fmt: skip
    assert statuses(changed) == ["UPDATED", "UPDATED"]
    retracted = await retract(api, owner_token, externalIds=["x-2"])
    assert statuses(retracted) == ["RETRACTED"]

    # then the copy follows: the update, then REMOVE with each reason
    await replica.pull()
    assert set(replica.records) == {ids[0]} == await replica.listed()
    assert replica.records[ids[0]]["confidence"] == 99
    assert dict(replica.removes) == {ids[1]: "ACCESS_REVOKED", ids[2]: "RETRACTED"}
