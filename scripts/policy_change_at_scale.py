"""A policy change over many records on PostgreSQL while a reader keeps reading.

    .venv/bin/python scripts/policy_change_at_scale.py \\
        postgresql://postgres@127.0.0.1/alliance_scale --records 20000

On an empty database (migrated here): an EU member with N indicators shared
`alliance=FULL` (written with multi-row inserts), a CN member reading. Then, as a member
past the inline limit does it (`set_policy`):

1. narrowing: the owner caps indicators at `region:EU=ANONYMOUS` and excludes a rival;
   the change's own transaction narrows every record with set-based statements
   (`narrow_to_policy`). Printed: how long that transaction took, and what the CN
   member sees right after it commits (expected 0);
2. the batches that recompute each record exactly (`reapply_in_batches`), while the CN
   member pages through its list in a loop: time, batches, the reader's latency;
3. widening: the cap becomes `alliance=ANONYMOUS`; the change's transaction (nothing to
   narrow for the CN member) and the batches that widen, and what the CN member sees at
   the end (expected N);
4. for comparison, the whole member re-applied inside one transaction (`reapply_policy`,
   what a member under the inline limit gets).

A script, not a test; the figures are in docs/sharing.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from alliance import migrate
from alliance.audit.reads import ReadLog
from alliance.db import Database, utcnow
from alliance.indicators.audience import reapply_in_batches, reapply_policy
from alliance.indicators.models import Indicator
from alliance.indicators.search import IndicatorFilter, search
from alliance.members.models import Member
from alliance.policies.service import set_policy, store_policy
from sharing import SYSTEM_VIEWER, MemberStatus, PrincipalKind, Role, Scope, Viewer
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from sharing.storage import tables_of

CHUNK = 10_000


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def _members(database: Database) -> tuple[Member, Member]:
    async with database.transaction() as session:
        owner = Member(legal_name=f"Scale owner {uuid.uuid4().hex[:6]}", region_code="EU")
        reader = Member(legal_name=f"Scale reader {uuid.uuid4().hex[:6]}", region_code="CN")
        for member in (owner, reader):
            member.status = MemberStatus.ACTIVE
            session.add(member)
    return owner, reader


async def _seed(database: Database, owner: Member, records: int) -> None:
    grants = tables_of(Indicator).grants
    now = utcnow()
    for start in range(0, records, CHUNK):
        rows, grant_rows = [], []
        for number in range(start, min(start + CHUNK, records)):
            record_id = uuid.uuid4()
            value = f"seller{number}@scale-shop.com"
            rows.append(
                {
                    "id": record_id,
                    "owner_member_id": owner.id,
                    "kind": "EMAIL",
                    "match_key": value,
                    "value": value,
                    "extra": {},
                    "confidence": 50,
                    "evidence_level": "OBSERVED",
                    "purpose": "MONITORING",
                    "tlp": "AMBER",
                    "first_seen": now,
                    "last_seen": now,
                    "status": "ACTIVE",
                    "requested_audience": "alliance=FULL",
                    "policy_version": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            grant_rows.append(
                {
                    "record_id": record_id,
                    "target_kind": "alliance",
                    "target_key": "",
                    "level": "FULL",
                }
            )
        async with database.transaction() as session:
            await session.execute(insert(Indicator.__table__), rows)
            await session.execute(insert(grants), grant_rows)
        say(f"seeded {min(start + CHUNK, records)} records")


def _viewer(member: Member) -> Viewer:
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=uuid.uuid4(),
        member_id=member.id,
        region=member.region_code,
        roles=frozenset({Role.ANALYST}),
        scopes=frozenset({Scope.INDICATORS_READ}),
        member_status=MemberStatus.ACTIVE,
        agreed=True,
    )


async def _read_until(database: Database, viewer: Viewer, done: asyncio.Event) -> list[float]:
    latencies = []
    while not done.is_set():
        started = time.perf_counter()
        async with database.viewer_session(viewer) as session:
            await search(
                session, viewer=viewer, reads=ReadLog(), wanted=IndicatorFilter(), first=50
            )
        latencies.append(time.perf_counter() - started)
    return latencies


async def _cn_count(database: Database, reader: Member) -> int:
    viewer = _viewer(reader)
    async with database.viewer_session(viewer) as session:
        page = await search(session, viewer=viewer, reads=ReadLog(), wanted=IndicatorFilter())
    return page.total_count or 0


async def _change(database: Database, policy: MemberPolicy) -> float:
    """Set `policy` as a member past the inline limit does; seconds its transaction took."""
    started = time.perf_counter()
    async with database.transaction() as session:
        await set_policy(session, viewer=SYSTEM_VIEWER, policy=policy, inline_limit=0)
    return time.perf_counter() - started


async def _batches_while_reading(
    database: Database, owner: Member, reader: Member, batch_size: int
) -> None:
    done = asyncio.Event()
    reading = asyncio.create_task(_read_until(database, _viewer(reader), done))
    started = time.perf_counter()
    batches = await reapply_in_batches(database, member_id=owner.id, batch_size=batch_size)
    took = time.perf_counter() - started
    done.set()
    latencies = await reading
    say(f"   batches: {batches} of {batch_size}, {took:.2f} s")
    if latencies:
        median, worst = statistics.median(latencies), max(latencies)
        say(f"   reader meanwhile: {len(latencies)} pages, median {median * 1000:.1f} ms,")
        say(f"   worst {worst * 1000:.1f} ms (each page also counts every visible record)")


async def run(url: str, records: int, batch_size: int) -> None:
    database = Database(url)
    owner, reader = await _members(database)
    rival, _ = await _members(database)
    await _seed(database, owner, records)
    say(f"CN reader sees {await _cn_count(database, reader)} records before")

    capped = Ceiling(parse_audience("region:EU=ANONYMOUS"))
    narrower = MemberPolicy(
        owner.id,
        ceilings={RuleKey(RecordType.INDICATOR): capped},
        standing_excludes=frozenset({rival.id}),
    )
    took = await _change(database, narrower)
    say(f"1. narrowing change (cap region:EU=ANONYMOUS, exclude a rival): {took:.2f} s")
    say(f"   CN reader sees {await _cn_count(database, reader)} right after it commits")
    say("2. batches recomputing each record exactly:")
    await _batches_while_reading(database, owner, reader, batch_size)

    wider = MemberPolicy(
        owner.id,
        ceilings={RuleKey(RecordType.INDICATOR): Ceiling(parse_audience("alliance=ANONYMOUS"))},
    )
    took = await _change(database, wider)
    say(f"3. widening change (cap alliance=ANONYMOUS): {took:.2f} s;")
    say(f"   CN reader sees {await _cn_count(database, reader)} right after it commits")
    await _batches_while_reading(database, owner, reader, batch_size)
    say(f"   CN reader sees {await _cn_count(database, reader)} at the end")

    async with database.transaction() as session:
        await store_policy(session, viewer=SYSTEM_VIEWER, policy=narrower)
        started = time.perf_counter()
        await reapply_policy(session, member_id=owner.id)
    say(f"4. the whole member re-applied in one transaction: {time.perf_counter() - started:.2f} s")
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="an empty PostgreSQL database, postgresql://...")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    arguments = parser.parse_args()
    url = make_url(arguments.url).set(drivername="postgresql+asyncpg")
    rendered = url.render_as_string(hide_password=False)
    migrate.upgrade(rendered)
    asyncio.run(run(rendered, arguments.records, arguments.batch_size))


if __name__ == "__main__":
    main()
