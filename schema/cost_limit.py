"""The cost limit (DESIGN §7): a request over the per-request maximum is refused before it
runs, the rest is charged to its principal's budget, and every answer tells what it cost.

    extensions.cost = {requestedQueryCost, actualQueryCost,
                       throttleStatus: {maximumAvailable, currentlyAvailable, restoreRate}}

The requested cost is taken from the budget before execution; once the request has run,
what it did not use is given back (or what it used beyond it is charged). A request that
does not run (invalid, or over the maximum) costs 1; a throttled one costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from alliance.config import Settings
from alliance.ratelimit import Balance, Buckets, MemoryBuckets, Rate, retry_after_seconds
from schema.context import Context
from schema.cost import MINIMUM, Operation, actual_cost, operation_of, requested_cost

COST_LIMIT = "COST_LIMIT"
THROTTLED = "THROTTLED"


@dataclass(frozen=True, slots=True)
class CostPolicy:
    """The per-request maximum, and the budget each principal spends from."""

    max_per_request: int
    budget: Rate
    buckets: Buckets

    @classmethod
    def from_settings(cls, settings: Settings, buckets: Buckets) -> CostPolicy:
        budget = Rate(capacity=settings.cost_budget, per_second=settings.cost_restore_rate)
        return cls(settings.cost_max_per_request, budget, buckets)

    @classmethod
    def in_process(cls) -> CostPolicy:
        return cls.from_settings(Settings(), MemoryBuckets())


def _over_maximum(requested: int, maximum: int) -> GraphQLError:
    return GraphQLError(
        f"This request would cost {requested:,}, over the maximum of {maximum:,} per request. "
        "Ask for fewer items (`first`), fewer nested lists or fewer aliases.",
        extensions={"code": COST_LIMIT, "cost": requested, "maximum": maximum},
    )


def _throttled(requested: int, balance: Balance) -> GraphQLError:
    seconds = retry_after_seconds(balance)
    return GraphQLError(
        f"This request costs {requested:,} and your budget holds {math.floor(balance.available):,};"
        f" retry in {seconds} s.",
        extensions={"code": THROTTLED, "retryAfter": seconds},
    )


class CostLimit(SchemaExtension):
    def __init__(self, *, policy: CostPolicy) -> None:
        self.policy = policy
        self.operation: Operation | None = None
        self.requested = MINIMUM
        self.balance: Balance | None = None
        self.ran = False

    @property
    def _key(self) -> str:
        context = self.execution_context.context
        who = context.viewer.principal_id if isinstance(context, Context) else "unknown"
        return f"cost:{who}"

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if execution.result is not None:  # an earlier extension refused it: nothing runs
            yield
            return
        if execution.graphql_document is not None:  # always: execution follows parsing
            self.operation = operation_of(
                execution.schema._schema,
                execution.graphql_document,
                execution.operation_name,
                execution.variables,
            )
        if self.operation is not None:
            self.requested = requested_cost(self.operation)
        refusal = await self._refusal()
        if refusal is None:
            self.ran = True
        else:  # a result set here is what strawberry returns, without executing
            execution.result = ExecutionResult(data=None, errors=[refusal])
        yield

    async def _refusal(self) -> GraphQLError | None:
        if self.requested > self.policy.max_per_request:
            return _over_maximum(self.requested, self.policy.max_per_request)
        self.balance = await self.policy.buckets.take(self._key, self.requested, self.policy.budget)
        if not self.balance.allowed:
            return _throttled(self.requested, self.balance)
        return None

    async def _settle(self) -> tuple[int, Balance]:
        buckets, budget = self.policy.buckets, self.policy.budget
        if self.ran:
            result = self.execution_context.result
            mutations = self.operation.mutation_fields if self.operation else 0
            sync_keys = self.operation.sync_keys if self.operation else frozenset()
            data = getattr(result, "data", None)
            actual = actual_cost(data, mutation_fields=mutations, sync_keys=sync_keys)
            return actual, await buckets.settle(self._key, actual - self.requested, budget)
        if self.balance is not None:  # throttled: nothing was taken
            return 0, self.balance
        return MINIMUM, await buckets.settle(self._key, MINIMUM, budget)

    async def get_results(self) -> dict[str, Any]:
        actual, balance = await self._settle()
        return {
            "cost": {
                "requestedQueryCost": self.requested,
                "actualQueryCost": actual,
                "throttleStatus": {
                    "maximumAvailable": self.policy.budget.capacity,
                    "currentlyAvailable": math.floor(balance.available),
                    "restoreRate": self.policy.budget.per_second,
                },
            }
        }
