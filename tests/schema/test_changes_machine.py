"""The change feed against a simple oracle, as a state machine (hypothesis.stateful):
three members create, update, share, narrow, retract and expire records while viewers
pull. After every step each viewer's copy, built only from the events it received,
holds exactly the ids `indicators` lists to it (convergence), and no event ever named a
record the viewer could not list after some step (no leaks)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, update

from alliance.db import Database
from alliance.indicators.change_log import indicator_changes
from alliance.indicators.models import Indicator
from alliance.members.models import Member
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World
from tests.schema.feed_replica import Replica
from tests.schema.test_changes import RETRACT, SHARE

# (member, page size) of each viewer that pulls: an owner, another owner, a reader.
PULLERS = ((0, 1000), (1, 2), (3, 1))
AUDIENCES = (
    "alliance=FULL",
    "region:EU=ANONYMOUS",
    "region:CN=FULL",
    "member:{viewer}=FULL",
    "alliance=FULL, exclude:{viewer}",
    "alliance=MATCH_ONLY",
    "",
)


@dataclass
class Harness:
    """The test's fixtures, and a way to run their coroutines from the machine's thread."""

    loop: asyncio.AbstractEventLoop
    db: Database
    api: Api
    world: World
    intel: Intel
    # Owners in EU, CN, AMER, and a fourth member in EU that only reads.
    members: list[Member]
    tokens: list[str]

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


@dataclass(frozen=True)
class Record:
    id: uuid.UUID
    owner: int

    @property
    def gid(self) -> str:
        from schema.ids import to_global_id

        return to_global_id("Indicator", self.id)


class FeedMachine(RuleBasedStateMachine):
    harness: Harness
    records = Bundle("records")

    @initialize()
    def setup(self) -> None:
        h = self.harness
        self.replicas = [Replica(h.api, h.tokens[i], first=first) for i, first in PULLERS]
        self.ever: list[set[str]] = [set() for _ in PULLERS]
        h.run(self._forget())

    async def _forget(self) -> None:
        # Each example starts with no records and an empty log; the members stay.
        async with self.harness.db.transaction() as session:
            await session.execute(delete(Indicator))
            await session.execute(delete(indicator_changes))

    def _audience(self, choice: int) -> str:
        return AUDIENCES[choice].format(viewer=self.harness.members[3].id)

    @rule(target=records, owner=st.integers(0, 2), audience=st.integers(0, len(AUDIENCES) - 1))
    def create(self, owner: int, audience: int) -> Record:
        made = self.harness.run(
            self.harness.intel.indicator(self.harness.members[owner], self._audience(audience))
        )
        return Record(made.id, owner)

    @rule(record=records, audience=st.integers(0, len(AUDIENCES) - 1))
    def share(self, record: Record, audience: int) -> None:
        variables = {"id": record.gid, "a": self._audience(audience)}
        self.harness.run(
            self.harness.api.query(SHARE, variables, token=self.harness.tokens[record.owner])
        )

    @rule(record=records)
    def retract(self, record: Record) -> None:
        variables = {"id": record.gid}
        self.harness.run(
            self.harness.api.query(RETRACT, variables, token=self.harness.tokens[record.owner])
        )

    @rule(record=records, confidence=st.integers(0, 100))
    def update(self, record: Record, confidence: int) -> None:
        self.harness.run(self._set(record, confidence=confidence))

    @rule(record=records)
    def expire(self, record: Record) -> None:
        moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        self.harness.run(self._set(record, expires_at=moment))

    async def _set(self, record: Record, **values: Any) -> None:
        async with self.harness.db.transaction() as session:
            await session.execute(update(Indicator).where(Indicator.id == record.id).values(values))

    @rule(viewer=st.integers(0, 2))
    def new_client(self, viewer: int) -> None:
        # A client starting from no cursor converges too, and learns nothing more.
        fresh = Replica(self.harness.api, self.replicas[viewer].token)
        listed = self.harness.run(self._catch_up(fresh, viewer))
        assert set(fresh.records) == listed
        assert fresh.received == listed  # nothing of what left before it started

    async def _catch_up(self, replica: Replica, viewer: int) -> set[str]:
        listed = await replica.listed()
        self.ever[viewer] |= listed
        await replica.pull()
        assert replica.received <= self.ever[viewer], "an event named a record never listed"
        return listed

    @invariant()
    def every_copy_is_the_view(self) -> None:
        if not hasattr(self, "replicas"):
            return  # before `setup`
        for viewer, replica in enumerate(self.replicas):
            listed = self.harness.run(self._catch_up(replica, viewer))
            assert set(replica.records) == listed


async def test_every_copy_converges_and_learns_nothing_it_could_not_see(
    db: Database, api: Api, world: World, intel: Intel
) -> None:
    members = [await world.member(region=r) for r in ("EU", "CN", "AMER", "EU")]
    tokens = [world.token(await world.user(member)) for member in members]
    harness = Harness(asyncio.get_running_loop(), db, api, world, intel, members, tokens)

    class Machine(FeedMachine):
        pass

    Machine.harness = harness
    # The machine runs in a thread; its steps run on this test's loop, which stays free.
    await asyncio.to_thread(
        run_state_machine_as_test,
        Machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
