"""Token buckets: per key, a balance that refills at a steady rate up to a capacity.

One interface, two homes: `RedisBuckets` when the service runs as several instances (all
share one balance per key), `MemoryBuckets` for a single process. The GraphQL cost budget
and the /oauth/token limits both spend from them.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("alliance.ratelimit")

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Rate:
    """A bucket holds at most `capacity` and refills by `per_second` (> 0) each second."""

    capacity: float
    per_second: float


@dataclass(frozen=True, slots=True)
class Balance:
    """The outcome of one operation on a bucket: whether it was done, what is left after
    it, and how long until the amount asked for would have been there (0 when done)."""

    allowed: bool
    available: float
    retry_after: float


class Buckets(Protocol):
    async def take(self, key: str, amount: float, rate: Rate) -> Balance:
        """Spend `amount` from the bucket of `key` if it holds that much, else nothing."""

    async def settle(self, key: str, amount: float, rate: Rate) -> Balance:
        """Spend `amount` whatever the balance (a negative amount gives back), keeping the
        balance between 0 and the capacity."""

    async def close(self) -> None:
        """Release connections."""


def _balance(allowed: bool, level: float, amount: float, rate: Rate) -> Balance:
    missing = 0.0 if allowed else amount - level
    return Balance(allowed=allowed, available=level, retry_after=missing / rate.per_second)


class MemoryBuckets:
    """Buckets of one process; an asyncio service needs no lock, as no operation awaits."""

    # Past this many keys, buckets that have refilled are forgotten: a full bucket and an
    # absent one are the same, and addresses would otherwise accumulate for ever. The
    # threshold then doubles with what is left, so pruning stays rare under many keys.
    PRUNE_ABOVE = 10_000

    def __init__(self, *, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._levels: dict[str, tuple[float, float, float]] = {}  # key -> level, when, full at
        self._prune_above = self.PRUNE_ABOVE

    def _level(self, key: str, rate: Rate, now: float) -> float:
        level, when, _full_at = self._levels.get(key, (rate.capacity, now, now))
        return min(rate.capacity, level + max(0.0, now - when) * rate.per_second)

    def apply(self, key: str, amount: float, rate: Rate, *, force: bool) -> Balance:
        """`take` (force=False) or `settle` (force=True), without awaiting."""
        now = self._clock()
        level = self._level(key, rate, now)
        allowed = force or amount <= level
        if allowed:
            level = max(0.0, min(rate.capacity, level - amount))
        full_at = now + (rate.capacity - level) / rate.per_second
        self._levels[key] = (level, now, full_at)
        if len(self._levels) > self._prune_above:
            self._prune(now)
        return _balance(allowed, level, amount, rate)

    def _prune(self, now: float) -> None:
        self._levels = {k: v for k, v in self._levels.items() if v[2] > now}
        self._prune_above = max(self.PRUNE_ABOVE, 2 * len(self._levels))

    async def take(self, key: str, amount: float, rate: Rate) -> Balance:
        return self.apply(key, amount, rate, force=False)

    async def settle(self, key: str, amount: float, rate: Rate) -> Balance:
        return self.apply(key, amount, rate, force=True)

    async def close(self) -> None:
        self._levels.clear()


# One atomic step per call. The time is Redis's own (TIME) so that instances with skewed
# clocks agree, unless the caller passes one (tests move a clock of their own).
_BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local force = ARGV[4] == '1'
local now = tonumber(ARGV[5])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
level = math.min(capacity, level + math.max(0, now - at) * rate)
local allowed = 0
if force or amount <= level then
  level = math.max(0, math.min(capacity, level - amount))
  allowed = 1
end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - level) / rate * 1000) + 1000)
return {allowed, tostring(level)}
"""


class RedisBuckets:
    """Buckets in Redis under `prefix`, shared by every instance that uses the same ones.
    A bucket's key expires once it would be full again. While Redis cannot be reached, each
    instance keeps limiting with buckets of its own rather than failing every request."""

    TIMEOUT_SECONDS = 1.0

    def __init__(self, url: str, *, prefix: str, clock: Clock | None = None) -> None:
        self._redis = Redis.from_url(
            url, socket_timeout=self.TIMEOUT_SECONDS, socket_connect_timeout=self.TIMEOUT_SECONDS
        )
        self._script = self._redis.register_script(_BUCKET_SCRIPT)
        self._prefix = prefix
        self._clock = clock
        self._fallback = MemoryBuckets() if clock is None else MemoryBuckets(clock=clock)

    async def _apply(self, key: str, amount: float, rate: Rate, *, force: bool) -> Balance:
        now = "" if self._clock is None else repr(self._clock())
        args = [repr(rate.capacity), repr(rate.per_second), repr(amount), str(int(force)), now]
        try:
            allowed, level = await self._script(keys=[self._prefix + key], args=args)
        except (RedisError, OSError):
            logger.warning("Redis unreachable: limiting in this process meanwhile", exc_info=True)
            return self._fallback.apply(key, amount, rate, force=force)
        return _balance(bool(allowed), float(level), amount, rate)

    async def take(self, key: str, amount: float, rate: Rate) -> Balance:
        return await self._apply(key, amount, rate, force=False)

    async def settle(self, key: str, amount: float, rate: Rate) -> Balance:
        return await self._apply(key, amount, rate, force=True)

    async def close(self) -> None:
        await self._redis.aclose()


def open_buckets(redis_url: str | None, *, prefix: str) -> Buckets:
    """Redis buckets when a URL is configured, else buckets of this process."""
    if redis_url:
        return RedisBuckets(redis_url, prefix=prefix)
    return MemoryBuckets()


def retry_after_seconds(balance: Balance) -> int:
    """A `Retry-After` value: whole seconds, at least 1."""
    return max(1, math.ceil(balance.retry_after))
