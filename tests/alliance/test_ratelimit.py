"""Token buckets: the same behaviour in process and in Redis, on a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from alliance.ratelimit import Buckets, MemoryBuckets, Rate, RedisBuckets

RATE = Rate(capacity=100, per_second=5)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "redis"])
async def buckets(request: pytest.FixtureRequest, clock: Clock) -> AsyncIterator[Buckets]:
    found: Buckets
    if request.param == "memory":
        found = MemoryBuckets(clock=clock)
    else:
        url = request.getfixturevalue("redis_url")
        found = RedisBuckets(url, prefix=request.getfixturevalue("redis_prefix"), clock=clock)
    yield found
    await found.close()


async def test_a_take_within_the_balance_is_allowed_and_spends_it(buckets: Buckets) -> None:
    first = await buckets.take("p", 30, RATE)
    second = await buckets.take("p", 70, RATE)

    assert (first.allowed, first.available) == (True, 70)
    assert (second.allowed, second.available) == (True, 0)


async def test_a_take_beyond_the_balance_is_refused_and_takes_nothing(buckets: Buckets) -> None:
    await buckets.take("p", 90, RATE)

    refused = await buckets.take("p", 20, RATE)
    after = await buckets.take("p", 10, RATE)

    assert (refused.allowed, refused.available) == (False, 10)
    assert refused.retry_after == pytest.approx(2.0)  # 10 missing at 5 per second
    assert (after.allowed, after.available) == (True, 0)


async def test_the_balance_refills_at_its_rate_up_to_its_capacity(
    buckets: Buckets, clock: Clock
) -> None:
    await buckets.take("p", 100, RATE)

    clock.now += 4
    refilled = await buckets.take("p", 0, RATE)
    clock.now += 3_600
    full = await buckets.take("p", 0, RATE)

    assert refilled.available == pytest.approx(20)
    assert full.available == pytest.approx(100)


async def test_settling_gives_back_or_charges_more_within_zero_and_capacity(
    buckets: Buckets,
) -> None:
    await buckets.take("p", 60, RATE)

    refunded = await buckets.settle("p", -50, RATE)
    capped = await buckets.settle("p", -50, RATE)
    charged = await buckets.settle("p", 130, RATE)

    assert refunded.available == pytest.approx(90)
    assert capped.available == pytest.approx(100)
    assert (charged.allowed, charged.available) == (True, 0)


async def test_each_key_has_its_own_bucket(buckets: Buckets) -> None:
    await buckets.take("p", 100, RATE)

    other = await buckets.take("q", 1, RATE)

    assert (other.allowed, other.available) == (True, 99)


async def test_two_redis_clients_with_one_prefix_share_their_buckets(
    redis_url: str, redis_prefix: str, clock: Clock
) -> None:
    one = RedisBuckets(redis_url, prefix=redis_prefix, clock=clock)
    two = RedisBuckets(redis_url, prefix=redis_prefix, clock=clock)
    try:
        await one.take("p", 95, RATE)
        seen = await two.take("p", 10, RATE)
    finally:
        await one.close()
        await two.close()

    assert (seen.allowed, seen.available) == (False, 5)


async def test_while_redis_is_unreachable_each_instance_limits_on_its_own(clock: Clock) -> None:
    unreachable = RedisBuckets("redis://127.0.0.1:9/0", prefix="nowhere:", clock=clock)
    try:
        spent = await unreachable.take("p", 95, RATE)
        refused = await unreachable.take("p", 10, RATE)
    finally:
        await unreachable.close()

    assert (spent.allowed, spent.available) == (True, 5)
    assert (refused.allowed, refused.available) == (False, 5)


async def test_forgetting_refilled_buckets_keeps_those_still_spent(clock: Clock) -> None:
    buckets = MemoryBuckets(clock=clock)
    slow = Rate(capacity=100_000, per_second=0.001)
    await buckets.take("spent", 50_000, slow)
    for n in range(MemoryBuckets.PRUNE_ABOVE):
        await buckets.take(f"address-{n}", 1, RATE)  # full again 0.2 s later
    clock.now += 1

    await buckets.take("one-more", 1, RATE)  # past the threshold: the full ones are forgotten
    after = await buckets.take("spent", 60_000, slow)

    assert not after.allowed
    assert after.available == pytest.approx(50_000.001)
